"""The two images build for arm64 (lean development) and x86 (staging, production).

No Docker engine runs here, so these check what decides it: both Dockerfiles start from
official multi-architecture images, and every locked dependency that ships native code has an
arm64 build (a package with x86 wheels only would make the development image fail to install).
"""

from __future__ import annotations

import json
import re
import tomllib

from stacks.settings import INFRASTRUCTURE_DIR

ROOT = INFRASTRUCTURE_DIR.parent
# Official images published for linux/amd64 and linux/arm64 (Docker Hub "library" images).
MULTI_ARCH_BASES = {"PYTHON_IMAGE": "python:", "NODE_IMAGE": "node:"}


def test_dockerfiles_start_from_multi_architecture_images() -> None:
    for dockerfile in (ROOT / "backend" / "Dockerfile", ROOT / "frontend" / "Dockerfile"):
        text = dockerfile.read_text(encoding="utf-8")
        arguments = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, flags=re.MULTILINE))
        bases = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
        assert bases, dockerfile
        for base in bases:
            name = base.removeprefix("${").removesuffix("}")
            assert name in MULTI_ARCH_BASES, (dockerfile.name, base)
            assert arguments[name].startswith(MULTI_ARCH_BASES[name]), (dockerfile.name, base)
        # No architecture pinned anywhere (a --platform or an amd64/x86_64 download).
        assert not re.search(r"--platform|amd64|x86_64", text), dockerfile


def test_every_native_python_dependency_has_an_arm64_wheel() -> None:
    lock = tomllib.loads((ROOT / "backend" / "uv.lock").read_text(encoding="utf-8"))
    # Packages every dependent asks for only under another Python than the image's 3.11
    # (pyyaml-ft, which libcst wants on 3.13 instead of pyyaml) are never installed in it.
    markers: dict[str, list[str]] = {}
    for package in lock["package"]:
        for group in (
            package.get("dependencies", []),
            *package.get("optional-dependencies", {}).values(),
            *package.get("dev-dependencies", {}).values(),
        ):
            for dependency in group:
                markers.setdefault(dependency["name"], []).append(dependency.get("marker", ""))
    other_python = re.compile(r"^python_full_version == '3\.(1[2-9])\.\*'$")
    missing = []
    for package in lock["package"]:
        needed_under = markers.get(package["name"], [""])
        if all(other_python.match(marker) for marker in needed_under):
            continue
        wheels = [wheel["url"].rsplit("/", 1)[1] for wheel in package.get("wheels", [])]
        if not wheels or any(w.endswith("-none-any.whl") for w in wheels):
            continue
        if all("win" in w for w in wheels):
            continue  # Windows-only (pywin32): never installed in a Linux image
        arm64 = [w for w in wheels if "linux" in w and "aarch64" in w]
        if not any(re.search(r"-(cp311|cp3\d+-abi3|py3)-", w) for w in arm64):
            missing.append(f"{package['name']} {package['version']}")
    assert missing == []


def test_every_native_web_dependency_has_an_arm64_build() -> None:
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text(encoding="utf-8"))
    names = {path.removeprefix("node_modules/") for path in lock["packages"] if path}
    x64 = {name for name in names if "linux-x64" in name}
    assert x64, "no native packages found: has the lock file's layout changed?"
    missing = sorted(name for name in x64 if name.replace("linux-x64", "linux-arm64") not in names)
    assert missing == []

"""``make cost ENV=...``: synthesize an environment and print its itemized monthly estimate.

Everything is counted from the synthesized CloudFormation templates (resources, instance
classes, task sizes, minimum task counts), priced with the committed table in cost.prices.
Usage-based charges (data transfer, NAT/ALB processing, logs, requests) are not included.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cost import prices
from cost.prices import HOURS_PER_MONTH

Template = Mapping[str, Any]


@dataclass(frozen=True)
class LineItem:
    category: str
    detail: str
    quantity: float
    monthly_usd: float


def _resources(templates: Iterable[Template], resource_type: str) -> list[dict[str, Any]]:
    return [
        resource
        for template in templates
        for resource in template.get("Resources", {}).values()
        if resource["Type"] == resource_type
    ]


def _hourly(price: prices.Price, quantity: float = 1) -> float:
    return price.usd * HOURS_PER_MONTH * quantity


def _task_counts(template: Template) -> dict[str, int]:
    """Minimum running tasks per ECS service logical id (autoscaling minimum or desired)."""
    resources = template.get("Resources", {})
    counts = {
        logical: int(resource["Properties"].get("DesiredCount", 1))
        for logical, resource in resources.items()
        if resource["Type"] == "AWS::ECS::Service"
    }
    for resource in resources.values():
        if resource["Type"] != "AWS::ApplicationAutoScaling::ScalableTarget":
            continue
        target = json.dumps(resource["Properties"]["ResourceId"])
        for logical in counts:
            if f'"{logical}", "Name"' in target:
                counts[logical] = int(resource["Properties"]["MinCapacity"])
    return counts


# (ARM64, Spot) -> (vCPU-hour, GB-hour)
_FARGATE_RATES = {
    (False, False): (prices.FARGATE_VCPU_HOUR, prices.FARGATE_GB_HOUR),
    (True, False): (prices.FARGATE_ARM_VCPU_HOUR, prices.FARGATE_ARM_GB_HOUR),
    (False, True): (prices.FARGATE_SPOT_VCPU_HOUR, prices.FARGATE_SPOT_GB_HOUR),
    (True, True): (prices.FARGATE_SPOT_ARM_VCPU_HOUR, prices.FARGATE_SPOT_ARM_GB_HOUR),
}


def _on_spot(service: Mapping[str, Any]) -> bool:
    """Every task on Fargate Spot (a strategy of FARGATE_SPOT only)."""
    strategy = service["Properties"].get("CapacityProviderStrategy") or []
    return bool(strategy) and all(s["CapacityProvider"] == "FARGATE_SPOT" for s in strategy)


def fargate_items(templates: Iterable[Template]) -> list[LineItem]:
    items = []
    for template in templates:
        resources = template.get("Resources", {})
        for logical, count in sorted(_task_counts(template).items()):
            task_ref = resources[logical]["Properties"]["TaskDefinition"]["Ref"]
            task = resources[task_ref]["Properties"]
            vcpu = int(task["Cpu"]) / 1024
            gb = int(task["Memory"]) / 1024
            arm64 = task.get("RuntimePlatform", {}).get("CpuArchitecture") == "ARM64"
            spot = _on_spot(resources[logical])
            vcpu_rate, gb_rate = _FARGATE_RATES[(arm64, spot)]
            monthly = _hourly(vcpu_rate, vcpu * count) + _hourly(gb_rate, gb * count)
            name = re.sub(r"[0-9A-F]{8}$", "", task_ref).removesuffix("Task")
            kind = (
                ", ".join(label for label, on in (("ARM64", arm64), ("Spot", spot)) if on) or "x86"
            )
            items.append(
                LineItem(
                    "Fargate",
                    f"{name}: {count} x {vcpu:g} vCPU / {gb:g} GB ({kind})",
                    count,
                    monthly,
                )
            )
    return items


def nat_instance_items(templates: Iterable[Template]) -> list[LineItem]:
    """NAT instances (lean profile): instance hours and root volumes; their public addresses
    are counted with the other public IPv4 addresses."""
    items = []
    for instance in _resources(templates, "AWS::EC2::Instance"):
        props = instance["Properties"]
        instance_type = props["InstanceType"]
        items.append(
            LineItem(
                "NAT instances",
                f"1 x {instance_type}",
                1,
                _hourly(prices.EC2_INSTANCE_HOUR[instance_type]),
            )
        )
        volume_gb = sum(
            int(mapping["Ebs"]["VolumeSize"]) for mapping in props.get("BlockDeviceMappings", [])
        )
        items.append(
            LineItem(
                "NAT instances",
                f"{volume_gb} GB gp3 root volume",
                volume_gb,
                prices.EBS_GP3_GB_MONTH.usd * volume_gb,
            )
        )
    return items


def _public_instance_addresses(templates: Iterable[Template]) -> int:
    return sum(
        1
        for instance in _resources(templates, "AWS::EC2::Instance")
        for interface in instance["Properties"].get("NetworkInterfaces", [])
        if interface.get("AssociatePublicIpAddress") in (True, "true")
    )


def estimate(templates: Iterable[Template]) -> list[LineItem]:
    """Itemized monthly cost of the resources in ``templates``."""
    templates = list(templates)
    items: list[LineItem] = []

    nat = len(_resources(templates, "AWS::EC2::NatGateway"))
    if nat or not _resources(templates, "AWS::EC2::Instance"):
        items.append(
            LineItem("NAT gateways", f"{nat} x", nat, _hourly(prices.NAT_GATEWAY_HOUR, nat))
        )
    items.extend(nat_instance_items(templates))

    albs = _resources(templates, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    items.append(
        LineItem(
            "Load balancers", f"{len(albs)} ALB", len(albs), _hourly(prices.ALB_HOUR, len(albs))
        )
    )

    endpoint_azs = sum(
        len(e["Properties"].get("SubnetIds", []))
        for e in _resources(templates, "AWS::EC2::VPCEndpoint")
        if e["Properties"].get("VpcEndpointType") == "Interface"
    )
    items.append(
        LineItem(
            "Interface endpoints",
            f"{endpoint_azs} endpoint-AZs",
            endpoint_azs,
            _hourly(prices.INTERFACE_ENDPOINT_AZ_HOUR, endpoint_azs),
        )
    )

    # Public IPv4: one Elastic IP per NAT gateway (or the address of a NAT instance), one
    # address per AZ of each public ALB.
    eips = len(_resources(templates, "AWS::EC2::EIP")) + _public_instance_addresses(templates)
    alb_ips = sum(
        len(a["Properties"].get("Subnets", []))
        for a in albs
        if a["Properties"].get("Scheme") == "internet-facing"
    )
    items.append(
        LineItem(
            "Public IPv4",
            f"{eips} NAT addresses + {alb_ips} ALB addresses",
            eips + alb_ips,
            _hourly(prices.PUBLIC_IPV4_HOUR, eips + alb_ips),
        )
    )

    for db in _resources(templates, "AWS::RDS::DBInstance"):
        props = db["Properties"]
        copies = 2 if props.get("MultiAZ") else 1
        instance = _hourly(prices.RDS_INSTANCE_HOUR[props["DBInstanceClass"]], copies)
        storage = prices.RDS_GP3_GB_MONTH.usd * int(props["AllocatedStorage"]) * copies
        az = "Multi-AZ" if copies == 2 else "Single-AZ"
        items.append(LineItem("RDS", f"{props['DBInstanceClass']} {az}", copies, instance))
        items.append(
            LineItem(
                "RDS storage", f"{props['AllocatedStorage']} GB gp3 x {copies}", copies, storage
            )
        )

    for group in _resources(templates, "AWS::ElastiCache::ReplicationGroup"):
        props = group["Properties"]
        nodes = int(props.get("NumCacheClusters", 1))
        items.append(
            LineItem(
                "ElastiCache",
                f"{nodes} x {props['CacheNodeType']}",
                nodes,
                _hourly(prices.ELASTICACHE_NODE_HOUR[props["CacheNodeType"]], nodes),
            )
        )

    items.extend(fargate_items(templates))

    file_systems = len(_resources(templates, "AWS::EFS::FileSystem"))
    items.append(
        LineItem(
            "EFS",
            f"{file_systems} x {prices.ASSUMED_EFS_GB} GB (assumed usage)",
            file_systems,
            prices.EFS_STANDARD_GB_MONTH.usd * prices.ASSUMED_EFS_GB * file_systems,
        )
    )

    secrets = len(_resources(templates, "AWS::SecretsManager::Secret"))
    items.append(
        LineItem(
            "Secrets Manager", f"{secrets} secrets", secrets, prices.SECRET_MONTH.usd * secrets
        )
    )

    alarm_metrics = 0
    alarms = _resources(templates, "AWS::CloudWatch::Alarm")
    for alarm in alarms:
        metrics = alarm["Properties"].get("Metrics")
        alarm_metrics += sum(1 for m in metrics if "MetricStat" in m) if metrics else 1
    items.append(
        LineItem(
            "CloudWatch alarms",
            f"{len(alarms)} alarms, {alarm_metrics} metrics",
            alarm_metrics,
            prices.ALARM_METRIC_MONTH.usd * alarm_metrics,
        )
    )

    keys = len(_resources(templates, "AWS::KMS::Key"))
    items.append(LineItem("KMS", f"{keys} keys", keys, prices.KMS_KEY_MONTH.usd * keys))

    zones = len(_resources(templates, "AWS::Route53::HostedZone"))
    if zones:
        items.append(
            LineItem(
                "Route 53", f"{zones} hosted zone", zones, prices.HOSTED_ZONE_MONTH.usd * zones
            )
        )
    items.extend(audit_and_logging_items(templates))
    items.extend(scheduled_task_items(templates))
    return items


def scheduled_task_items(templates: list[Template]) -> list[LineItem]:
    """Tasks EventBridge starts on a schedule (the nightly backup, issue 11): Fargate for the
    assumed run time, and the dumps the backups bucket keeps. EventBridge's scheduled rules
    and AWS service events are free."""
    items: list[LineItem] = []
    for template in templates:
        resources = template.get("Resources", {})
        for rule in resources.values():
            if (
                rule["Type"] != "AWS::Events::Rule"
                or "ScheduleExpression" not in rule["Properties"]
            ):
                continue
            for target in rule["Properties"].get("Targets", []):
                if "EcsParameters" not in target:
                    continue
                task_ref = target["EcsParameters"]["TaskDefinitionArn"]["Ref"]
                task = resources[task_ref]["Properties"]
                vcpu = int(task["Cpu"]) / 1024
                gb = int(task["Memory"]) / 1024
                hours = prices.ASSUMED_BACKUP_MINUTES / 60 * prices.BACKUP_RUNS_PER_MONTH
                name = re.sub(r"[0-9A-F]{8}$", "", task_ref).removesuffix("Task")
                # On demand, on the task's own architecture (the profile's: ARM64 when lean).
                arm64 = task.get("RuntimePlatform", {}).get("CpuArchitecture") == "ARM64"
                vcpu_rate, gb_rate = _FARGATE_RATES[(arm64, False)]
                items.append(
                    LineItem(
                        "Scheduled tasks",
                        f"{name}: nightly, ~{prices.ASSUMED_BACKUP_MINUTES} min x "
                        f"{vcpu:g} vCPU / {gb:g} GB ({'ARM64' if arm64 else 'x86'})",
                        prices.BACKUP_RUNS_PER_MONTH,
                        hours * (vcpu * vcpu_rate.usd + gb * gb_rate.usd),
                    )
                )
    backups = [
        bucket
        for bucket in _resources(templates, "AWS::S3::Bucket")
        if str(bucket["Properties"].get("BucketName", "")).endswith("-backups")
    ]
    if backups and items:
        versioned = any(
            b["Properties"].get("VersioningConfiguration", {}).get("Status") == "Enabled"
            for b in backups
        )
        kept = prices.BACKUPS_KEPT * (2 if versioned else 1)
        stored_gb = kept * prices.ASSUMED_BACKUP_GB
        items.append(
            LineItem(
                "Backups storage",
                f"{kept} dumps x ~{prices.ASSUMED_BACKUP_GB:g} GB",
                kept,
                stored_gb * prices.S3_STANDARD_GB_MONTH.usd,
            )
        )
    return items


def _attributes(load_balancer: dict[str, Any]) -> dict[str, Any]:
    return {
        a["Key"]: a["Value"] for a in load_balancer["Properties"].get("LoadBalancerAttributes", [])
    }


def audit_and_logging_items(templates: list[Template]) -> list[LineItem]:
    """CloudTrail, RDS monitoring, ALB access logs, log-group encryption and SQS (issue 17).

    Mostly usage charges, priced here with the assumptions stated in cost.prices, because
    they are the running cost of what was added.
    """
    items: list[LineItem] = []
    trails = len(_resources(templates, "AWS::CloudTrail::Trail"))
    if trails:
        items.append(
            LineItem(
                "CloudTrail",
                f"{trails} trail, management events",
                trails,
                prices.CLOUDTRAIL_FIRST_TRAIL_MONTH.usd * trails,
            )
        )

    for db in _resources(templates, "AWS::RDS::DBInstance"):
        props = db["Properties"]
        if props.get("MonitoringInterval"):
            gb = prices.ASSUMED_ENHANCED_MONITORING_GB
            items.append(
                LineItem(
                    "RDS monitoring",
                    f"Enhanced Monitoring {props['MonitoringInterval']} s (~{gb:g} GB logs)",
                    1,
                    prices.CLOUDWATCH_LOGS_INGESTED_GB.usd * gb,
                )
            )
        if props.get("EnablePerformanceInsights"):
            items.append(
                LineItem(
                    "RDS monitoring",
                    f"Performance Insights {props['PerformanceInsightsRetentionPeriod']} days",
                    1,
                    prices.PERFORMANCE_INSIGHTS_7_DAYS_MONTH.usd,
                )
            )

    logged = [
        alb
        for alb in _resources(templates, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        if _attributes(alb).get("access_logs.s3.enabled") == "true"
    ]
    if logged:
        nodes = sum(len(alb["Properties"].get("Subnets", [])) for alb in logged)
        puts = nodes * prices.ALB_LOG_FILES_PER_NODE_HOUR * HOURS_PER_MONTH
        stored_gb = len(logged) * prices.ASSUMED_ALB_LOG_GB * prices.ALB_LOG_MONTHS_KEPT
        items.append(
            LineItem(
                "ALB access logs",
                f"{len(logged)} ALB: {puts:,} PUTs, ~{stored_gb:g} GB kept",
                len(logged),
                puts / 1000 * prices.S3_PUT_PER_1000.usd
                + stored_gb * prices.S3_STANDARD_GB_MONTH.usd,
            )
        )

    encrypted_groups = sum(
        1 for g in _resources(templates, "AWS::Logs::LogGroup") if "KmsKeyId" in g["Properties"]
    )
    if encrypted_groups:
        requests = encrypted_groups * prices.ASSUMED_KMS_REQUESTS_PER_LOG_GROUP
        items.append(
            LineItem(
                "KMS requests",
                f"{encrypted_groups} encrypted log groups (<= {requests:,})",
                requests,
                requests / 10_000 * prices.KMS_PER_10K_REQUESTS.usd,
            )
        )

    queues = _resources(templates, "AWS::SQS::Queue")
    if queues:
        polled = sum(1 for q in queues if q["Properties"].get("ReceiveMessageWaitTimeSeconds"))
        workers = sum(
            count
            for template in templates
            for logical, count in _task_counts(template).items()
            if template["Resources"][logical]["Properties"]["TaskDefinition"]["Ref"].startswith(
                "WorkerTask"
            )
        )
        requests = polled * workers * prices.LONG_POLL_REQUESTS_PER_TASK_MONTH
        items.append(
            LineItem(
                "SQS",
                f"{len(queues)} queues, {requests:,} long-poll requests",
                requests,
                requests / 1_000_000 * prices.SQS_PER_MILLION_REQUESTS.usd,
            )
        )
    return items


def total(items: Iterable[LineItem]) -> float:
    return round(sum(item.monthly_usd for item in items), 2)


def render(environment: str, items: list[LineItem]) -> str:
    lines = [f"Estimated monthly cost: {environment} (us-east-1 on-demand, {prices.PRICE_DATE})"]
    lines.append(f"{'Item':22} {'Detail':44} {'USD/month':>10}")
    for item in items:
        lines.append(f"{item.category:22} {item.detail:44} {item.monthly_usd:10.2f}")
    lines.append(f"{'Total':22} {'':44} {total(items):10.2f}")
    lines.append(
        "Excludes usage-based charges: data transfer, NAT/ALB data processing and LCUs, "
        "CloudWatch Logs, S3, SES/SNS/Lambda requests, backups beyond the free allowance "
        "(access logs, Enhanced Monitoring, KMS and SQS requests are priced on the stated "
        "assumptions in cost/prices.py)."
    )
    return "\n".join(lines)


def synthesize_templates(environment: str, outdir: Path) -> list[dict[str, Any]]:
    """Synthesize ``environment`` in-process with the context the CDK CLI would use."""
    import aws_cdk as cdk

    from app import build_app
    from stacks.settings import CONTEXT_FILE, INFRASTRUCTURE_DIR, example_context, resolve_settings

    context: dict[str, Any] = json.loads((INFRASTRUCTURE_DIR / "cdk.json").read_text())["context"]
    context.update(example_context())
    if CONTEXT_FILE.exists():
        context.update(json.loads(CONTEXT_FILE.read_text()))
    context["environment"] = environment
    # The tag does not change the price; production requires one to synthesize.
    context.setdefault("image_tag", "cost-estimate")
    app = cdk.App(context=context, outdir=str(outdir))
    build_app(app, resolve_settings(context))
    assembly = app.synth()
    return [stack.template for stack in assembly.stacks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--environment", choices=["development", "staging", "production"], required=True
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as outdir:
        templates = synthesize_templates(args.environment, Path(outdir))
    print(render(args.environment, estimate(templates)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

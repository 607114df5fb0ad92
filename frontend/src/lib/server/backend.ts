import "server-only";

/**
 * Where this web server finds the API. The design names it NEXT_PUBLIC_API_URL and the ECS task
 * sets it at run time; Next.js would inline a literal `process.env.NEXT_PUBLIC_…` at build time,
 * so it is read by a computed name to pick up the container's value.
 */
const API_URL_VARIABLE = "NEXT_PUBLIC_API_URL";

export function backendUrl(): string {
  const configured = process.env[API_URL_VARIABLE];
  return (configured && configured.trim() !== "" ? configured : "http://127.0.0.1:8000").replace(
    /\/+$/,
    "",
  );
}

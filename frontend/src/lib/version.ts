/** Set at build time from package.json, or from APP_VERSION (the image tag) when given. */
export const APP_VERSION: string = process.env.NEXT_PUBLIC_APP_VERSION ?? "development";

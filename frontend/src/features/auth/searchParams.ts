export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** One query parameter's value (the first when repeated), or null. */
export async function searchParam(
  searchParams: SearchParams,
  name: string,
): Promise<string | null> {
  const value = (await searchParams)[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

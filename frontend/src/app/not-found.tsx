import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg p-6 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-muted">
        <Link href="/" className="underline">
          Back to Family Budget
        </Link>
      </p>
    </main>
  );
}

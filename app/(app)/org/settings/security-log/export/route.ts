import { getDb } from "@/db/client";
import { recordEvent } from "@/lib/audit/events";
import { CSV_COLUMNS, csvLine, csvRecord, exportOrgEvents, parseSecurityLogQuery } from "@/lib/audit/security-log";
import { currentRequest, requireOrgPermissionForRoute } from "@/lib/auth/dal";

/**
 * The security log of the admin's organisation as CSV, for the filter in the query string. The rows are
 * streamed: each batch is read from the database (keyset, EXPORT_BATCH_SIZE rows) only when the response
 * stream asks for more, so an export of up to EXPORT_MAX_ROWS rows never holds them all in memory. Fields are
 * quoted and formula characters neutralised (csvField; OWASP CSV injection). The export itself is audited.
 */
export async function GET(request: Request): Promise<Response> {
  const current = await requireOrgPermissionForRoute("security_log.view");
  if (current instanceof Response) return current;
  const parsed = parseSecurityLogQuery(new URL(request.url).searchParams);
  if (!parsed.success) return Response.json({ error: "Check the filter and try again." }, { status: 400 });
  const { member, kind, from, to } = parsed.data;
  const filter = { member, kind, from, to };
  const [db, { info }] = await Promise.all([getDb(), currentRequest()]);
  const organisationId = current.organisation.id;
  await recordEvent(db, {
    action: "org.security_log_exported",
    userId: current.user.id,
    organisationId,
    detail: { member: member ?? null, kind: kind ?? null, from: from ?? null, to: to ?? null },
    ...info,
  });

  const batches = exportOrgEvents(db, organisationId, filter);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // A byte-order mark so spreadsheet programs read the names as UTF-8.
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_COLUMNS)}`));
      },
      async pull(controller) {
        try {
          const next = await batches.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value.map(csvRecord).join("")));
        } catch (error) {
          console.error(`[security-log] export failed: ${(error as Error).name}`);
          controller.error(error);
        }
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    // One batch waits in the queue at most: the next is read only once the client has taken this one.
    { highWaterMark: 1 },
  );
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="security-log-${day}.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

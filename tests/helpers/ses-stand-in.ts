import http from "node:http";
import type { AddressInfo } from "node:net";

export type SesStandInMode = "ok" | "http400" | "http500" | "hang" | "slow";

export interface ReceivedEmail {
  from: string | null;
  to: string[];
  subject: string | null;
  subjectCharset: string | null;
  html: string | null;
  text: string | null;
  /** The whole JSON body as sent. */
  body: Record<string, unknown>;
  /** The request's headers (the SDK signs every request: authorization, x-amz-date). */
  headers: http.IncomingHttpHeaders;
}

export interface SesStandIn {
  /** Set AWS_ENDPOINT_URL_SESV2 to this (or pass it as the client's endpoint). */
  url: string;
  /** Emails answered with 200, oldest first. */
  sent: ReceivedEmail[];
  /** Every SendEmail request received, whatever the answer. */
  requests: ReceivedEmail[];
  /** How many accepted emails went to a recipient whose header contains `to`. */
  receipts(to: string): number;
  setMode(mode: SesStandInMode): void;
  /** Answers each request by the mode this returns (undefined: the current mode); for "some fail, some hang". */
  setDecider(decide: ((email: ReceivedEmail, n: number) => SesStandInMode | undefined) | null): void;
  /** Delay of the "slow" mode. Default 200 ms. */
  setSlowMs(ms: number): void;
  close(): Promise<void>;
}

/**
 * A local Amazon SES (API v2) endpoint for SendEmail: the SDK speaks REST-JSON, `POST /v2/email/outbound-emails`
 * with a JSON body (`FromEmailAddress`, `Destination.ToAddresses`, `Content.Simple.{Subject,Body.{Html,Text}}`),
 * answered `{"MessageId": "…"}`; an error carries its type in the `x-amzn-ErrorType` header. Signatures are not
 * checked. It can answer 400 (echoing the address, as SES does), 500, slowly, or never.
 */
export async function startSesStandIn(initialMode: SesStandInMode = "ok"): Promise<SesStandIn> {
  let mode = initialMode;
  let decider: ((email: ReceivedEmail, n: number) => SesStandInMode | undefined) | null = null;
  let slowMs = 200;
  let count = 0;
  const sent: ReceivedEmail[] = [];
  const requests: ReceivedEmail[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v2/email/outbound-emails") {
        return sendError(res, 404, "NotFoundException", `stand-in only implements SendEmail, got ${req.method} ${req.url}`);
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return sendError(res, 400, "BadRequestException", "body is not JSON");
      }
      const content = body.Content as { Simple?: { Subject?: { Data?: string; Charset?: string }; Body?: { Html?: { Data?: string }; Text?: { Data?: string } } } } | undefined;
      const simple = content?.Simple;
      const email: ReceivedEmail = {
        from: (body.FromEmailAddress as string | undefined) ?? null,
        to: ((body.Destination as { ToAddresses?: string[] } | undefined)?.ToAddresses ?? []).slice(),
        subject: simple?.Subject?.Data ?? null,
        subjectCharset: simple?.Subject?.Charset ?? null,
        html: simple?.Body?.Html?.Data ?? null,
        text: simple?.Body?.Text?.Data ?? null,
        body,
        headers: req.headers,
      };
      requests.push(email);
      count += 1;
      const n = count;
      const answer = decider?.(email, n) ?? mode;
      const accept = () => {
        sent.push(email);
        res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": `r-${n}` });
        res.end(JSON.stringify({ MessageId: `ses-${n}` }));
      };
      switch (answer) {
        case "hang":
          return;
        case "http400":
          // Real SES names the address in this message; the sender must not pass it on.
          return sendError(res, 400, "MessageRejected", `Email address is not verified. The following identities failed the check: ${email.to.join(", ")}`);
        case "http500":
          return sendError(res, 500, "InternalFailure", "stand-in internal error");
        case "slow":
          setTimeout(accept, slowMs);
          return;
        case "ok":
          return accept();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    sent,
    requests,
    receipts: (to) => sent.filter((email) => email.to.some((address) => address.includes(to))).length,
    setMode(next) {
      mode = next;
    },
    setDecider(next) {
      decider = next;
    },
    setSlowMs(ms) {
      slowMs = ms;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung requests and kept-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

function sendError(res: http.ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
  res.end(JSON.stringify({ message }));
}

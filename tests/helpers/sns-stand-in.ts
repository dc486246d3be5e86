import http from "node:http";
import type { AddressInfo } from "node:net";

export type SnsStandInMode = "ok" | "http400" | "http500" | "hang";

export interface PublishedSms {
  phoneNumber: string | null;
  message: string | null;
  attributes: Record<string, string>;
}

export interface SnsStandIn {
  /** Set AWS_ENDPOINT_URL_SNS to this. */
  url: string;
  /** Publishes answered with 200, oldest first. */
  published: PublishedSms[];
  /** Every request received, whatever the mode answered. */
  requests: PublishedSms[];
  setMode(mode: SnsStandInMode): void;
  close(): Promise<void>;
}

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

/**
 * A local Amazon SNS endpoint for the Publish action, speaking the AWS Query protocol this SDK uses for SNS:
 * `POST /` with an `application/x-www-form-urlencoded` body (`Action=Publish&Version=2010-03-31&Message=...
 * &PhoneNumber=...&MessageAttributes.entry.N.Name=...&MessageAttributes.entry.N.Value.StringValue=...`),
 * answered with XML. Signatures are not checked.
 */
export async function startSnsStandIn(initialMode: SnsStandInMode = "ok"): Promise<SnsStandIn> {
  let mode = initialMode;
  let count = 0;
  const published: PublishedSms[] = [];
  const requests: PublishedSms[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const type = req.headers["content-type"] ?? "";
      if (req.method !== "POST" || !type.startsWith("application/x-www-form-urlencoded")) {
        // A future SDK may move SNS to another protocol (as SQS moved to AWS JSON); fail loudly, not oddly.
        return sendError(res, 400, "Sender", "UnsupportedProtocol", `stand-in expects an AWS Query form POST, got ${req.method} ${type}`);
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      if (form.get("Action") !== "Publish") {
        return sendError(res, 400, "Sender", "InvalidAction", `stand-in only implements Publish, got ${form.get("Action")}`);
      }
      const sms: PublishedSms = {
        phoneNumber: form.get("PhoneNumber"),
        message: form.get("Message"),
        attributes: readAttributes(form),
      };
      requests.push(sms);
      count += 1;
      switch (mode) {
        case "hang":
          return;
        case "http400":
          // Real SNS echoes the number in this message; the sender must not pass it on.
          return sendError(res, 400, "Sender", "InvalidParameter", `Invalid parameter: PhoneNumber Reason: ${sms.phoneNumber} is not valid to publish`);
        case "http500":
          return sendError(res, 500, "Receiver", "InternalError", "stand-in internal error");
        case "ok":
          published.push(sms);
          res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": `r-${count}` });
          res.end(
            `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>m-${count}</MessageId></PublishResult>` +
              `<ResponseMetadata><RequestId>r-${count}</RequestId></ResponseMetadata></PublishResponse>`,
          );
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    published,
    requests,
    setMode(next) {
      mode = next;
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

function readAttributes(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) as string;
    attributes[name] =
      form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? form.get(`MessageAttributes.entry.${n}.Value.BinaryValue`) ?? "";
  }
  return attributes;
}

function sendError(res: http.ServerResponse, status: number, type: string, code: string, message: string) {
  const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  res.writeHead(status, { "content-type": "text/xml" });
  res.end(
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escaped}</Message></Error>` +
      `<RequestId>r-err</RequestId></ErrorResponse>`,
  );
}

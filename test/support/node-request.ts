// A request sent with node:http, for what fetch cannot express: a body declared but never sent, a chunked body that
// never ends, the `*` request target.
import http from 'node:http';

export interface NodeReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function rawRequest(
  url: string,
  options: http.RequestOptions,
  write: (request: http.ClientRequest) => void,
): Promise<NodeReply> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, options, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    write(request);
  });
}

// A small Kubernetes API client for the harness kubelet and the tests: HTTPS to the test
// control plane with its CA and a bearer token, JSON in and out, and watches as a stream of
// events. No dependency beyond Node.js.
import fs from "node:fs";
import https from "node:https";

/** An API error: the status code and the server's Status object. */
export class ApiError extends Error {
  constructor(method, path, code, status) {
    super(`${method} ${path}: ${code} ${status?.reason ?? ""} ${status?.message ?? ""}`.trim());
    this.code = code;
    this.status = status;
  }
}

/** The variables of a shell-sourceable KEY=VALUE file (the fixture's env file). */
export function readEnvFile(file) {
  const env = {};
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

export class Client {
  /** server: https://HOST:PORT; ca: a PEM file or its contents; token: a bearer token. */
  constructor({ server, ca, token, impersonate = null }) {
    this.server = server;
    this.url = new URL(server);
    this.ca = Buffer.isBuffer(ca) ? ca : fs.readFileSync(ca);
    this.token = token;
    this.impersonate = impersonate;
    this.agent = new https.Agent({ ca: this.ca, keepAlive: true, maxSockets: 8 });
  }

  /** The same server with another token, or impersonating a user ({user, groups}). */
  as({ token = this.token, impersonate = null }) {
    return new Client({ server: this.server, ca: this.ca, token, impersonate });
  }

  #options(method, path, headers) {
    const h = { Accept: "application/json", Authorization: `Bearer ${this.token}`, ...headers };
    if (this.impersonate) {
      h["Impersonate-User"] = this.impersonate.user;
      if (this.impersonate.groups) h["Impersonate-Group"] = this.impersonate.groups;
    }
    return { method, hostname: this.url.hostname, port: this.url.port, path, agent: this.agent, headers: h };
  }

  /** Sends one request; resolves to the parsed body, rejects with ApiError on a status >= 300.
   * contentType defaults to JSON; PATCH callers pass the patch type. */
  request(method, path, body, { contentType = "application/json", raw = false } = {}) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
      const headers = data === undefined ? {} : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) };
      const req = https.request(this.#options(method, path, headers), (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed = text;
          if (!raw) {
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              parsed = { message: text };
            }
          }
          if (res.statusCode >= 300) reject(new ApiError(method, path, res.statusCode, typeof parsed === "object" ? parsed : { message: text }));
          else resolve(parsed);
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  get(path) {
    return this.request("GET", path);
  }

  /** GET that resolves to null on 404. */
  async getOrNull(path) {
    try {
      return await this.get(path);
    } catch (e) {
      if (e.code === 404) return null;
      throw e;
    }
  }

  post(path, body) {
    return this.request("POST", path, body);
  }

  put(path, body) {
    return this.request("PUT", path, body);
  }

  delete(path, body) {
    return this.request("DELETE", path, body);
  }

  mergePatch(path, body) {
    return this.request("PATCH", path, body, { contentType: "application/merge-patch+json" });
  }

  /** Watches a collection from resourceVersion: calls onEvent({type, object}) for each event and
   * resolves when the server ends the stream (a watch times out after a few minutes), or
   * rejects on an error. stop() on the returned handle ends it early. */
  watch(path, resourceVersion, onEvent) {
    let request;
    const done = new Promise((resolve, reject) => {
      const sep = path.includes("?") ? "&" : "?";
      const full = `${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
      request = https.request(this.#options("GET", full, {}), (res) => {
        if (res.statusCode !== 200) {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => reject(new ApiError("GET", full, res.statusCode, { message: Buffer.concat(chunks).toString() })));
          return;
        }
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          buffer += chunk;
          let nl;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            try {
              onEvent(JSON.parse(line));
            } catch (e) {
              reject(e);
              request.destroy();
              return;
            }
          }
        });
        res.on("end", resolve);
        res.on("error", reject);
        res.on("aborted", resolve);
      });
      request.on("error", (e) => (request.stopped ? resolve() : reject(e)));
      request.end();
    });
    return {
      done,
      stop() {
        request.stopped = true;
        request.destroy();
      },
    };
  }
}

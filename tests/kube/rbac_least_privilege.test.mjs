// The least-privilege claims of deploy/ and the chart, checked against the real RBAC authorizer
// and admission: their pods need no Kubernetes API access, so
//  - their pods get no service account token (the ServiceAccount admission plugin mounts none);
//  - the `schemagate` service account, with a token of its own (TokenRequest), is refused (403)
//    every request outside what every authenticated user may do (discovery, self reviews), and
//    SelfSubjectAccessReview says the same;
//  - as a control, the same request is allowed once a Role grants it, and refused again when the
//    binding goes, so the 403s come from RBAC and not from something else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { podSpecs, renderChart } from "../k8s/lib.mjs";
import { adminClient, chartValuesServe, deployManifests, apply, applyYaml, createNamespace, databaseSecret, kubeEnv, waitFor } from "./lib.mjs";
import { Client } from "./client.mjs";

const admin = adminClient();

async function status(client, method, p, body) {
  try {
    await client.request(method, p, body);
    return 200;
  } catch (e) {
    if (e.code) return e.code;
    throw e;
  }
}

async function saClient(ns, name) {
  const tr = await admin.post(`/api/v1/namespaces/${ns}/serviceaccounts/${name}/token`, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } });
  const e = kubeEnv();
  return new Client({ server: e.KUBE_SERVER, ca: e.KUBE_CA, token: tr.status.token });
}

test("deploy/'s and the chart's pods get no service account token", async () => {
  const ns = await createNamespace(admin, "rbac-token");
  const objects = [...deployManifests(), ...renderChart([chartValuesServe]).map((i) => i.object)];
  for (const sa of objects.filter((o) => o.kind === "ServiceAccount")) {
    const stored = await apply(admin, ns, sa);
    assert.equal(stored.automountServiceAccountToken, false, `${sa.metadata.name}`);
  }
  let checked = 0;
  for (const o of objects) {
    for (const spec of podSpecs(o)) {
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: `dry-${checked}` }, spec };
      const stored = await admin.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
      const mounts = [...(stored.spec.initContainers ?? []), ...stored.spec.containers].flatMap((c) => c.volumeMounts ?? []);
      assert.ok(!mounts.some((m) => m.mountPath.startsWith("/var/run/secrets/kubernetes.io")), `${o.kind}/${o.metadata.name}: a token is mounted`);
      assert.ok(!(stored.spec.volumes ?? []).some((v) => v.secret?.secretName?.includes("-token-") || v.projected), `${o.kind}/${o.metadata.name}: a token volume`);
      checked++;
    }
  }
  assert.equal(checked, 4, "pod specs of deploy/ (Job, Deployment) and the chart (Job, serve)");
  // The control: a pod of a service account that allows automounting gets a token.
  await apply(admin, ns, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "mounts" } });
  await waitFor("the token controller to make a token for `mounts`", async () => (await admin.get(`/api/v1/namespaces/${ns}/serviceaccounts/mounts`)).secrets?.length);
  const control = await admin.post(`/api/v1/namespaces/${ns}/pods?dryRun=All`, { apiVersion: "v1", kind: "Pod", metadata: { name: "control" }, spec: { serviceAccountName: "mounts", containers: [{ name: "c", image: "pause" }] } });
  assert.ok(control.spec.containers[0].volumeMounts?.some((m) => m.mountPath.startsWith("/var/run/secrets/kubernetes.io")), "the control pod got no token: the admission check proves nothing");
});

test("the schemagate service account may do nothing in the API beyond discovery", async () => {
  const ns = await createNamespace(admin, "rbac-sa");
  for (const o of deployManifests().filter((o) => o.kind === "ServiceAccount")) await apply(admin, ns, o);
  await apply(admin, ns, databaseSecret("postgresql://u:secret@db/app"));
  const sa = await saClient(ns, "schemagate");
  const impersonated = admin.as({ impersonate: { user: `system:serviceaccount:${ns}:schemagate`, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"] } });

  assert.equal(await status(sa, "GET", "/api"), 200, "discovery is open to every authenticated user");
  const refused = [
    ["GET", `/api/v1/namespaces/${ns}/secrets/schemagate-database`],
    ["GET", `/api/v1/namespaces/${ns}/secrets`],
    ["GET", `/api/v1/namespaces/${ns}/configmaps`],
    ["GET", `/api/v1/namespaces/${ns}/pods`],
    ["GET", `/apis/batch/v1/namespaces/${ns}/jobs`],
    ["POST", `/api/v1/namespaces/${ns}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { name: "x" }, spec: { containers: [{ name: "c", image: "pause" }] } }],
    ["GET", "/api/v1/namespaces"],
    ["GET", "/api/v1/nodes"],
  ];
  for (const [method, p, body] of refused) {
    assert.equal(await status(sa, method, p, body), 403, `${method} ${p} with the service account's token`);
    assert.equal(await status(impersonated, method, p, body), 403, `${method} ${p} impersonating the service account`);
  }
  const review = await sa.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: { namespace: ns, verb: "get", resource: "secrets", name: "schemagate-database" } } });
  assert.equal(review.status.allowed, false);

  // The control: a Role that grants the read makes the same request pass, and its removal
  // makes it fail again.
  const secret = `/api/v1/namespaces/${ns}/secrets/schemagate-database`;
  await applyYaml(admin, ns, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: read-db
rules:
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [schemagate-database]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read-db
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: read-db
subjects:
  - kind: ServiceAccount
    name: schemagate
    namespace: ${ns}
`);
  await waitFor("the RoleBinding to allow the read", async () => (await status(sa, "GET", secret)) === 200, { timeout: 20 });
  assert.equal(await status(sa, "GET", `/api/v1/namespaces/${ns}/secrets`), 403, "the Role allows one named Secret, not the list");
  await admin.delete(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/read-db`);
  await waitFor("the read to be refused again", async () => (await status(sa, "GET", secret)) === 403, { timeout: 20 });
});

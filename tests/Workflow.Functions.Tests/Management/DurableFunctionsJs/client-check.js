// Drives the management API with the official Durable Functions JavaScript client (npm "durable-functions"),
// without a Functions host: the client is built from the same binding data the host would hand it.
//
// usage: node client-check.js <baseUrl> <taskHub> <code> <webhook|rpc>
//   webhook: the client fills in the URL templates of the binding data (creationUrls/managementUrls), with the key;
//   rpc:     the client builds paths itself under rpcBaseUrl (what newer extension versions use).
// Prints one line per step and exits non-zero on the first failure.
"use strict";

const assert = require("node:assert/strict");

const [baseUrl, taskHub, code, mode] = process.argv.slice(2);
if (!baseUrl || !taskHub || !code || !["webhook", "rpc"].includes(mode)) {
    console.error("usage: node client-check.js <baseUrl> <taskHub> <code> <webhook|rpc>");
    process.exit(2);
}

// Without WEBSITE_HOSTNAME the client rewrites every binding URL to http://localhost:7071 (local Core Tools).
process.env.WEBSITE_HOSTNAME = new URL(baseUrl).host;
const df = require("durable-functions");

const hook = `${baseUrl.replace(/\/$/, "")}/runtime/webhooks/durabletask`;
const query = `taskHub=${taskHub}&connection=Storage&code=${encodeURIComponent(code)}`;
const clientData = {
    taskHubName: taskHub,
    creationUrls: {
        createNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?${query}`,
        createAndWaitOnNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
    },
    managementUrls: {
        id: "INSTANCEID",
        statusQueryGetUri: `${hook}/instances/INSTANCEID?${query}`,
        sendEventPostUri: `${hook}/instances/INSTANCEID/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${hook}/instances/INSTANCEID/terminate?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${hook}/instances/INSTANCEID?${query}`,
    },
    baseUrl: hook,
    requiredQueryStringParameters: query,
    rpcBaseUrl: mode === "rpc" ? `${hook}/` : undefined,
};

// The shape of an @azure/functions v4 InvocationContext, as far as getClient looks at it.
const input = df.input.durableClient();
const client = df.getClient({ options: { extraInputs: [input] }, extraInputs: { get: () => clientData } });

async function waitFor(instanceId, runtimeStatus) {
    const deadline = Date.now() + 30_000;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
        const status = await client.getStatus(instanceId);
        if (status.runtimeStatus === runtimeStatus) {
            return status;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${instanceId} to be ${runtimeStatus} (is ${status.runtimeStatus})`);
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
    }
}

async function step(name, body) {
    await body();
    console.log(`ok   ${mode} ${name}`);
}

async function main() {
    let echoId;
    await step("startNew with a generated id", async () => {
        echoId = await client.startNew("Echo", { input: "from js" });
        assert.match(echoId, /^[0-9a-f]{32}$/);
    });

    await step("getStatus while running", async () => {
        const status = await client.getStatus(echoId);
        assert.equal(status.instanceId, echoId);
        assert.equal(status.name, "Echo");
        assert.equal(status.runtimeStatus, df.OrchestrationRuntimeStatus.Running);
        assert.equal(status.input, "from js");
        assert.deepEqual(status.customStatus, { stage: "waiting" });
        assert.equal(status.output, null);
        assert.ok(!Number.isNaN(status.createdTime.getTime()));
    });

    await step("raiseEvent, then getStatus until completed", async () => {
        await client.raiseEvent(echoId, "Go", "js");
        const status = await waitFor(echoId, df.OrchestrationRuntimeStatus.Completed);
        assert.equal(status.output, "FROM JS:js");
    });

    const namedId = `js-${mode}-${Date.now().toString(36)}`;
    await step("startNew with a chosen id, terminate with a reason", async () => {
        assert.equal(await client.startNew("Echo", { instanceId: namedId, input: "x" }), namedId);
        await client.terminate(namedId, "stopped by js");
        const status = await waitFor(namedId, df.OrchestrationRuntimeStatus.Terminated);
        assert.equal(status.output, "stopped by js");
    });

    await step("raiseEvent and terminate on a finished instance are accepted as no-ops (410)", async () => {
        await client.raiseEvent(namedId, "Go", "late");
        await client.terminate(namedId, "again");
    });

    await step("raiseEvent to an unknown instance is an error (404)", async () => {
        await assert.rejects(client.raiseEvent("no-such-instance", "Go", "x"), /No instance with ID/);
    });

    await step("getStatusBy and getStatusAll (following x-ms-continuation-token)", async () => {
        const finished = await client.getStatusBy({
            runtimeStatus: [df.OrchestrationRuntimeStatus.Completed, df.OrchestrationRuntimeStatus.Terminated],
        });
        const ids = finished.map((s) => s.instanceId);
        assert.ok(ids.includes(echoId), `getStatusBy misses ${echoId}: ${ids}`);
        assert.ok(ids.includes(namedId), `getStatusBy misses ${namedId}: ${ids}`);
        const all = await client.getStatusAll();
        assert.ok(all.some((s) => s.instanceId === namedId));
    });

    await step("Pin event: a well-formed PIN completes the command, a bad one is refused", async () => {
        const pinId = await client.startNew("PinWaiter");
        await assert.rejects(client.raiseEvent(pinId, "Pin", { pin: "12" }), /400/);
        await client.raiseEvent(pinId, "Pin", { pin: "2468" });
        const status = await waitFor(pinId, df.OrchestrationRuntimeStatus.Completed);
        assert.match(status.output, /^sha256:[0-9a-f]{64}$/);
    });

    await step("purgeInstanceHistory", async () => {
        assert.deepEqual(await client.purgeInstanceHistory(echoId), { instancesDeleted: 1 });
        assert.equal((await client.purgeInstanceHistory(echoId)).instancesDeleted, 0);
        await assert.rejects(client.getStatus(echoId), /404/);
    });
}

main().then(
    () => console.log(`done ${mode}`),
    (error) => {
        console.error(`FAILED ${mode}: ${error && error.stack ? error.stack : error}`);
        process.exit(1);
    });

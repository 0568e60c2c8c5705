import { writeFileSync } from 'node:fs';
import { runFuzz } from '/work/main/chaos/fuzz/run-fuzz.ts';
const r = await runFuzz({ runsPerRoute: 60, say: console.log });
writeFileSync('/tmp/fuzz-accepted.json', JSON.stringify(r.routes.map((x) => ({ route: x.route, accepted: x.accepted.map((a) => JSON.parse(a)) })), null, 1));
console.log(r.findings.length, r.published);
await r.system.stop();

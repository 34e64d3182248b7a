// A test reporter (scripts/run-tests.mjs adds it beside TAP): the wall time of
// each test file, slowest first, so that a slow suite says where its time goes.
// Node reports a file's own run as a test named by its path.
export default async function* fileTimes(source) {
  const times = [];
  const started = Date.now();
  for await (const ev of source) {
    if (ev.type !== 'test:complete' || ev.data.nesting !== 0 || ev.data.name !== ev.data.file) continue;
    times.push({ file: ev.data.file, s: ev.data.details.duration_ms / 1000, failed: !ev.data.details.passed });
  }
  if (times.length === 0) return;
  const cwd = process.cwd() + '/';
  times.sort((a, b) => b.s - a.s);
  const sum = times.reduce((n, t) => n + t.s, 0);
  yield `# per-file wall time (s), slowest first; ${times.length} files, sum ${sum.toFixed(1)} s, run ${((Date.now() - started) / 1000).toFixed(1)} s\n`;
  for (const t of times) yield `${t.s.toFixed(1).padStart(7)}  ${t.file.replace(cwd, '')}${t.failed ? '  (failed)' : ''}\n`;
}

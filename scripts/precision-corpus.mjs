// Rebuilds the precision corpus (configs/<name>/) from test/precision/SOURCES.tsv.
// The files are third-party material: they are written outside the repository
// (default ../shared/precision) and never committed.
//
//   node scripts/precision-corpus.mjs [OUT] [--mirrors DIR] [--only name,name]
//
// Each repository must already be cloned under MIRRORS/<owner>+<name>/repo
// (the session's `fetch` tool does this; `git clone` to the same layout works).
// Configurations rendered from templates are built by the recipes in
// scripts/precision-render/<name>.sh, which receive the mirror's git dir, the
// commit and the output directory; see test/precision/README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const mirrors = resolve(opt('--mirrors', '/work/.mirror'));
const only = opt('--only', '')?.split(',').filter(Boolean) ?? [];
const out = resolve(args[0] ?? join(repoDir, '..', 'shared', 'precision'));
const sharedCorpus = resolve(repoDir, '..', 'shared', 'corpus');

const rows = readFileSync(join(repoDir, 'test/precision/SOURCES.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim())
  .map((l) => {
    const [name, repository, paths, commit, license, how] = l.split('\t');
    return { name, repository, paths, commit, license, how };
  });

export function gitDir(repository) {
  const slug = repository.split(/\s/)[0].replace('/', '+');
  const d = join(mirrors, slug, 'repo');
  return existsSync(join(d, '.git')) ? join(d, '.git') : d;
}

function show(git, commit, path) {
  return execFileSync('git', ['-C', git, 'show', `${commit}:${path}`], { maxBuffer: 64 << 20 });
}

/** "a/b/main.cf; x/y -> sub/y" : [{ from, to }] */
function pathList(paths) {
  return paths
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [from, to] = p.split('->').map((s) => s.trim());
      return { from, to: to ?? basename(from) };
    });
}

const report = [];
for (const r of rows) {
  if (only.length && !only.includes(r.name)) continue;
  const dir = join(out, 'configs', r.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const recipe = join(repoDir, 'scripts', 'precision-render', `${r.name}.sh`);
  try {
    if (existsSync(recipe)) {
      execFileSync('bash', [recipe, r.repository.startsWith('Debian') || r.commit === '-' ? sharedCorpus : gitDir(r.repository), r.commit, dir, mirrors], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      report.push(`${r.name}: rendered by scripts/precision-render/${r.name}.sh`);
    } else if (/^as is/.test(r.how)) {
      const git = gitDir(r.repository);
      for (const { from, to } of pathList(r.paths)) {
        const dest = join(dir, to);
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, show(git, r.commit, from));
      }
      report.push(`${r.name}: as is`);
    } else {
      report.push(`${r.name}: NOT BUILT (no recipe scripts/precision-render/${r.name}.sh)`);
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (e) {
    report.push(`${r.name}: FAILED ${String(e.message).split('\n')[0]}`);
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(report.join('\n'));

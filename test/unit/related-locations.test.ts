// One finding per mistake with the other places as related locations (issue
// 7): the command line carries them in JSON (`related`) and SARIF
// (`relatedLocations`), each with its own region and message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigDir } from '../helpers/postfix-tools';
import { runCli } from '../helpers/cli-run';

const cli = (...args: string[]): string => runCli(args).stdout;

test('PF501 over three public networks: one result, two related locations, in JSON and SARIF', () => {
  const d = new ConfigDir('related-');
  try {
    d.write('main.cf', 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8 0.0.0.0/0 44.0.0.0/8 [2001:db8::]/16\n');
    const json = JSON.parse(cli('--format', 'json', d.dir));
    const pf501 = json.problems.filter((p: { code: string }) => p.code === 'PF501');
    assert.equal(pf501.length, 1);
    assert.deepEqual(
      pf501[0].related.map((r: { file: string; range: { start: { character: number } } }) => [r.file.endsWith('main.cf'), r.range.start.character]),
      [
        [true, 35],
        [true, 46],
      ],
    );
    const sarif = JSON.parse(cli('--format', 'sarif', d.dir));
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'PF501');
    assert.equal(result.locations[0].physicalLocation.region.startColumn, 26);
    assert.deepEqual(
      result.relatedLocations.map((r: { id: number; physicalLocation: { region: { startLine: number; startColumn: number } }; message: { text: string } }) => [r.id, r.physicalLocation.region.startLine, r.physicalLocation.region.startColumn, r.message.text]),
      [
        [0, 2, 36, '44.0.0.0/8 trusts 16,777,216 addresses, most of them on the Internet.'],
        [1, 2, 47, '[2001:db8::]/16 trusts 2^112 addresses on the Internet.'],
      ],
    );
    // Results without related places carry no empty list.
    assert.ok(sarif.runs[0].results.filter((r: { ruleId: string }) => r.ruleId !== 'PF501').every((r: object) => !('relatedLocations' in r)));
  } finally {
    d.dispose();
  }
});

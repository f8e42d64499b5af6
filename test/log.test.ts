import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger, loggerFromOnStep, redact, stepper, type LogLevel } from '../src/log/index.js';
import { coreDir, runCli } from './helpers/cli.js';
import { buildFixtures, type FixtureSet } from '../scripts/lib/fixtures.js';
import { writeRootPackage } from '../scripts/lib/root-package.js';

let scratch = '';
let fixtures: FixtureSet;
before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-log-'));
  fixtures = await buildFixtures();
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

interface JsonLine {
  time: string;
  level: LogLevel;
  step: string;
  target?: string;
  event?: 'start' | 'end';
  status?: string;
  durationMs?: number;
  message: string;
}

/** Every line of `text` is one JSON object with time, level, step and message. */
function jsonLines(text: string): JsonLine[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((l, i) => {
    const parsed = JSON.parse(l) as JsonLine;
    assert.match(parsed.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `line ${i + 1}: ${l}`);
    assert.ok(['debug', 'info', 'warn', 'error'].includes(parsed.level), `line ${i + 1}: ${l}`);
    assert.equal(typeof parsed.step, 'string', `line ${i + 1}: ${l}`);
    assert.notEqual(parsed.step, '', `line ${i + 1}`);
    assert.equal(typeof parsed.message, 'string', `line ${i + 1}: ${l}`);
    return parsed;
  });
}

function collect(): { lines: string[]; write: (l: string) => void } {
  const lines: string[] = [];
  return {
    lines,
    write: (l) => {
      lines.push(l);
    },
  };
}

describe('logger', () => {
  test('json: one object per line with level, step, target, event, durationMs; lines inside a step carry its name and target', () => {
    const out = collect();
    const log = createLogger({
      format: 'json',
      level: 'debug',
      write: out.write,
      scope: 'build',
      now: () => new Date('2026-01-02T03:04:05.678Z'),
    });
    log.info('outside');
    const end = log.step('build', { target: 'linux-x64-gnu', message: 'building linux-x64-gnu' });
    log.debug('cargo build --release');
    log.warn('careful');
    const ms = end({ message: 'built' });
    assert.ok(ms >= 0);
    const lines = jsonLines(out.lines.join(''));
    assert.deepEqual(
      lines.map((l) => [l.level, l.step, l.target ?? null, l.event ?? null, l.message]),
      [
        ['info', 'build', null, null, 'outside'],
        ['info', 'build', 'linux-x64-gnu', 'start', 'building linux-x64-gnu'],
        ['debug', 'build', 'linux-x64-gnu', null, 'cargo build --release'],
        ['warn', 'build', 'linux-x64-gnu', null, 'careful'],
        ['info', 'build', 'linux-x64-gnu', 'end', 'built'],
      ],
    );
    assert.equal(lines[0]?.time, '2026-01-02T03:04:05.678Z');
    assert.equal(typeof lines[4]?.durationMs, 'number');
    assert.equal(lines[4]?.status, 'ok');
  });

  test('levels: info hides debug and a step end without a message; warn hides steps; a failed step is an error', () => {
    const info = collect();
    const log = createLogger({ format: 'text', level: 'info', write: info.write });
    log.debug('hidden');
    log.step('quiet')();
    log.step('loud')({ status: 'failed', message: 'it broke' });
    assert.equal(info.lines.length, 3);
    assert.deepEqual(info.lines.slice(0, 2), ['› quiet…\n', '› loud…\n']);
    assert.match(info.lines[2] ?? '', /^ {2}✗ it broke \(\d+ ms\)\n$/);
    const warn = collect();
    const w = createLogger({ format: 'text', level: 'warn', write: warn.write });
    w.step('x')();
    w.info('no');
    w.warn('yes');
    assert.deepEqual(warn.lines, ['warning: yes\n']);
  });

  test('text: the dim `› step…` lines, coloured only through the style function', () => {
    const out = collect();
    const log = createLogger({ format: 'text', write: out.write, style: (s, t) => `<${s}>${t}</${s}>` });
    log.step('packing reproducible tarballs');
    log.warn('w');
    assert.deepEqual(out.lines, ['<dim>› packing reproducible tarballs…</dim>\n', '<yellow>warning</yellow>: w\n']);
  });

  test('secrets are redacted in every format', () => {
    const token = `npm_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
    const samples = [
      `//registry.npmjs.org/:_authToken=${token}`,
      'NODE_AUTH_TOKEN=s3cr3t-value npm publish',
      'Authorization: Bearer abcdefghijklmnop.qrstuvwx',
      'https://user:hunter2@registry.example.com/pkg',
      `token ghp_${'x'.repeat(36)} here`,
    ];
    for (const s of samples) {
      const r = redact(s);
      assert.doesNotMatch(r, /a1B2c3D4e5|s3cr3t-value|abcdefghijklmnop|hunter2|x{36}/, r);
      assert.match(r, /\*\*\*/, r);
    }
    assert.equal(redact('nothing secret: npm publish --tag next'), 'nothing secret: npm publish --tag next');
    for (const format of ['text', 'json'] as const) {
      const out = collect();
      const log = createLogger({ format, level: 'debug', write: out.write });
      log.debug(`npmrc: //localhost:4873/:_authToken="${token}"`);
      log.step(`publishing with ${token}`)({ message: `done ${token}` });
      assert.ok(out.lines.length >= 3);
      for (const l of out.lines) assert.doesNotMatch(l, new RegExp(token), l);
    }
  });

  test('onStep adapter: `step(name)` calls from stage code reach an onStep-only caller; stepper ends each step at the next', () => {
    const seen: string[] = [];
    const viaOnStep = stepper(
      loggerFromOnStep((s) => {
        seen.push(s);
      }),
    );
    viaOnStep('one');
    viaOnStep('two', { message: 'two, said differently' });
    viaOnStep.end();
    assert.deepEqual(seen, ['one', 'two, said differently']);

    const out = collect();
    const step = stepper(createLogger({ format: 'json', level: 'debug', write: out.write }));
    step('a');
    step('b');
    step.end();
    const lines = jsonLines(out.lines.join(''));
    assert.deepEqual(
      lines.map((l) => `${l.step}:${l.event ?? ''}`),
      ['a:start', 'a:end', 'b:start', 'b:end'],
    );
  });
});

describe('--log-format json on the real commands', () => {
  test('build --verbose: every stderr line is JSON (cargo and napi-rs output included, as debug lines); stdout stays the JSON outcome', async () => {
    const r = await runCli(['build', '--cwd', coreDir, '--target', 'linux-x64-gnu', '--json', '--log-format', 'json', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    JSON.parse(r.stdout);
    const lines = jsonLines(r.stderr);
    assert.ok(
      lines.some((l) => l.level === 'debug' && /Finished `release` profile/.test(l.message)),
      "cargo's output arrives as debug lines",
    );
    assert.ok(
      lines.some((l) => l.level === 'debug' && l.message.includes('napi build --platform --release --use-napi-cross')),
      'the command run is logged',
    );
    const end = lines.find((l) => l.step === 'build' && l.event === 'end' && l.target === 'linux-x64-gnu');
    assert.equal(end?.status, 'ok');
    assert.equal(typeof end.durationMs, 'number');
  });

  test('release --dry-run: the steps as JSON lines; NAPI_SHIP_LOG=debug adds step ends with durations', async () => {
    const dir = path.join(scratch, 'pkg');
    await writeRootPackage(dir, { name: '@fixture/log', binaryName: 'addon', targets: ['x86_64-unknown-linux-gnu'] });
    await copyFile(fixtures.fixtures['linux-x64-gnu'].path, path.join(dir, 'addon.linux-x64-gnu.node'));
    const info = await runCli([
      'release',
      '--dry-run',
      '--no-rehearsal',
      // the fixture binary is a C stand-in with the napi symbol, not a real addon: not loaded
      '--no-load',
      '--cwd',
      dir,
      '--out',
      path.join(scratch, 'out-info'),
      '--log-format',
      'json',
    ]);
    assert.equal(info.code, 0, info.stderr);
    const infoLines = jsonLines(info.stderr);
    assert.ok(infoLines.every((l) => l.level !== 'debug'));
    for (const step of ['reading the release plan', 'verifying every target', 'packing reproducible tarballs']) {
      assert.ok(
        infoLines.some((l) => l.step === step && l.event === 'start'),
        step,
      );
    }
    const debug = await runCli(
      [
        'release',
        '--dry-run',
        '--no-rehearsal',
        '--no-load',
        '--cwd',
        dir,
        '--out',
        path.join(scratch, 'out-debug'),
        '--log-format',
        'json',
      ],
      { env: { NAPI_SHIP_LOG: 'debug' } },
    );
    assert.equal(debug.code, 0, debug.stderr);
    const ends = jsonLines(debug.stderr).filter((l) => l.event === 'end');
    assert.ok(ends.some((l) => l.step === 'packing reproducible tarballs' && typeof l.durationMs === 'number'));
  });
});

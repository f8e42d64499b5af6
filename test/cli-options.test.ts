import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { didYouMean, helpText, parse, usageLine, UsageError, type Command } from '../src/cli/command.js';
import { commandList, loadCommands } from '../src/cli/main.js';
import { runCli } from './helpers/cli.js';

const commands = await loadCommands();

const command = (name: string): Command => {
  const c = commands.find((x) => x.name === name);
  assert.ok(c, name);
  return c;
};

describe('commands load lazily', () => {
  test('the light list (what --help shows) matches every command module it loads', () => {
    assert.deepEqual(
      commandList.map((c) => [c.name, c.summary]),
      commands.map((c) => [c.name, c.summary]),
    );
  });
});

describe('one declaration per option', () => {
  test('every command: --json, an example, a summary; no name, alias or short declared twice', () => {
    for (const c of commands) {
      assert.ok(
        c.options.some((o) => o.name === 'json' && o.type === 'boolean'),
        `${c.name} has --json`,
      );
      assert.ok(c.examples.length >= 1, `${c.name} has an example`);
      for (const e of c.examples) assert.match(e.command, new RegExp(`^napi-ship ${c.name}( |$)`), `${c.name}: ${e.command}`);
      const names = c.options.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
      assert.equal(new Set(names).size, names.length, `${c.name}: ${names.join(' ')}`);
      const shorts = c.options.flatMap((o) => (o.short === undefined ? [] : [o.short]));
      assert.equal(new Set(shorts).size, shorts.length, c.name);
      assert.ok(!names.includes('help') && !shorts.includes('h'), `${c.name} leaves --help/-h to the shell`);
    }
  });

  test('help and usage are derived from the declaration: every option, its value name, default and old names', () => {
    for (const c of commands) {
      const help = helpText(c, 1000);
      assert.match(help, new RegExp(`^Usage: ${usageLine(c).replace(/[[\]|.*+?()<>{}]/g, '\\$&')}$`, 'm'));
      for (const o of c.options) {
        const label = `--${o.name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
        assert.ok(help.includes(label), `${c.name}: ${label}`);
        for (const a of o.aliases ?? []) assert.ok(help.includes(`--${a}`), `${c.name}: alias --${a}`);
        const dflt = o.defaultText ?? (typeof o.default === 'string' ? o.default : undefined);
        if (dflt !== undefined) assert.ok(help.includes(`default: ${dflt}`), `${c.name} --${o.name}: default shown`);
      }
      for (const e of c.examples) assert.ok(help.includes(`  ${e.command}\n`), `${c.name}: example`);
      const required = c.options.filter((o) => o.required === true);
      for (const r of required) assert.ok(usageLine(c).includes(`--${r.name}`), `${c.name}: required --${r.name} in usage`);
    }
    // Descriptions wrap to the width asked for (a line is longer only when one word alone is).
    const help = helpText(command('publish'), 80);
    const options = help.slice(help.indexOf('Options:'), help.indexOf('Examples:')).split('\n');
    for (const line of options) assert.ok(line.length <= 80 || line.split(' ').some((w) => w.length > 40), line);
    assert.ok(options.length > command('publish').options.length + 2, 'long descriptions wrapped onto more lines');
  });

  test('the release dir has one name, --release-dir, and the old names still work', () => {
    const cases: [string, string[]][] = [
      ['publish', ['from']],
      ['status', ['from']],
      ['sign', ['dir']],
      ['verify-manifest', ['dir']],
      ['pack', ['out']],
      ['sbom', ['release']],
    ];
    for (const [name, old] of cases) {
      const c = command(name);
      for (const alias of old) {
        assert.equal(parse(c, [`--${alias}`, '/r']).values['release-dir'], '/r', `${name} --${alias}`);
        assert.equal(parse(c, [`--${alias}=/r`]).values['release-dir'], '/r', `${name} --${alias}=`);
      }
      assert.equal(parse(c, ['--release-dir', '/r']).values['release-dir'], '/r');
    }
  });

  test('parsing: shorts, repeats, literal defaults, values that start with a dash, the terminator', () => {
    const build = command('build');
    const a = parse(build, ['-t', 'linux-x64-gnu', '--target=darwin-arm64', '-tx86_64-pc-windows-msvc', '--json']);
    assert.deepEqual(a.values.target, ['linux-x64-gnu', 'darwin-arm64', 'x86_64-pc-windows-msvc']);
    assert.equal(a.values.json, true);
    assert.equal(a.values['log-format'], 'text');
    const publish = parse(command('publish'), ['--tag', '-weird', '--otp=-1']);
    assert.equal(publish.values.tag, '-weird');
    assert.equal(publish.values.otp, '-1');
    assert.equal(publish.values.concurrency, '15');
    assert.deepEqual(parse(command('hash'), ['--', '--json', 'a']).positionals, ['--json', 'a']);
  });

  test('usage errors are ours, with a did-you-mean', () => {
    const pack = command('pack');
    const thrown = (argv: string[]): UsageError => {
      try {
        parse(pack, argv);
      } catch (error) {
        assert.ok(error instanceof UsageError);
        return error;
      }
      assert.fail(`no usage error for ${argv.join(' ')}`);
    };
    assert.deepEqual([thrown(['--jsn']).message, thrown(['--jsn']).suggestion], ['unknown option --jsn', '--json']);
    assert.equal(thrown(['--release-di', 'x']).suggestion, '--release-dir');
    assert.equal(thrown(['--zzzzzzzz']).suggestion, null);
    assert.equal(thrown(['--json=yes']).message, '--json takes no value');
    assert.equal(thrown(['--cwd']).message, '--cwd needs a value (DIR)');
    assert.equal(thrown(['-q']).message, 'unknown option -q');
    assert.equal(didYouMean('pubish', ['publish', 'policy', 'pack']), 'publish');
    assert.equal(didYouMean('ver', ['verify', 'version', 'verify-manifest']), null);
    assert.equal(didYouMean('verify-man', ['verify', 'version', 'verify-manifest']), 'verify-manifest');
  });
});

describe('CLI manners', () => {
  test('a usage error is one line plus one line of usage (exit 2), never node-internal text', async () => {
    const cases: [string[], RegExp][] = [
      [['pack', '--jsn'], /^error: unknown option --jsn; did you mean --json\?\nUsage: napi-ship pack \[options\]/],
      [['pubish'], /^error: unknown command "pubish"; did you mean publish\?\nUsage: napi-ship <command>/],
      [['inspect', '--bogus', 'x'], /^error: unknown option --bogus\nUsage: napi-ship inspect <file…> \[options\]/],
      [['publish', '--from'], /^error: --from needs a value \(DIR\)\nUsage: napi-ship publish/],
      [['--verison'], /^error: unknown option --verison; did you mean --version\?\n/],
      [['help', 'relase'], /^error: unknown command "relase"; did you mean release\?\n/],
      [['status'], /^error: status needs the version.*\nUsage: napi-ship status <version> \[options\]/],
    ];
    for (const [argv, expected] of cases) {
      const r = await runCli(argv, { env: { NO_COLOR: '1' } });
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, expected, argv.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /To specify a positional argument|ERR_PARSE_ARGS/);
      assert.equal(r.stdout, '');
    }
  });

  test('--version and help work from any directory', async () => {
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'napi-ship-anywhere-'));
    try {
      const version = await runCli(['--version'], { cwd: elsewhere });
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^napi-ship \d+\.\d+\.\d+/);
      for (const argv of [['help'], ['--help'], ['help', 'publish'], ['release', '--help']]) {
        const r = await runCli(argv, { cwd: elsewhere });
        assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, /Usage: napi-ship/);
      }
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });
});

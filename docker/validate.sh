#!/usr/bin/env bash
# Validates the deployment files without a Docker engine:
#   bash docker/validate.sh            (after npm run build)
#   bash docker/validate.sh --build    (runs npm run build first)
#   bash docker/validate.sh --image    (also lays out the runtime stage by hand: npm ci --omit=dev
#                                       in a temporary directory, dist/ copied in, code read-only,
#                                       run as an unprivileged user; a few minutes: better-sqlite3 compiles)
# Static checks of docker/Dockerfile, .dockerignore, docker/compose.yaml, .env.example, the supervisor
# program and the systemd units, then runs the very commands those files run (node dist/main.js,
# node dist/cli.js queue:work, node dist/cli.js migration:run, docker/healthcheck.js) on a throwaway
# SQLite database, on loopback only. Needs no MySQL, Redis or Docker. Optional tools are used when
# present (docker compose / docker-compose, supervisor's python module, systemd-analyze).
# One line per check, a summary at the end; exits 1 when any check failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PASSED=0 FAILED=0 SKIPPED=0
pass() { printf 'PASS  %s\n' "$*"; PASSED=$((PASSED + 1)); }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=$((FAILED + 1)); }
skip() { printf 'SKIP  %s\n' "$*"; SKIPPED=$((SKIPPED + 1)); }
note() { printf 'NOTE  %s\n' "$*"; }
indent() { sed 's/^/      /'; }

# Reads "PASS|FAIL|SKIP|NOTE text" lines from a checker; a checker that dies without "DONE" fails.
tally() {
  local label=$1 status text done=0
  while IFS= read -r line; do
    status=${line%%  *}
    text=${line#*  }
    case $status in
      PASS) pass "$text" ;;
      FAIL) fail "$text" ;;
      SKIP) skip "$text" ;;
      NOTE) note "$text" ;;
      DONE) done=1 ;;
      *) printf '%s\n' "$line" | indent ;;
    esac
  done
  [ "$done" = 1 ] || fail "$label: the checker stopped before the end (see above)"
}

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

BUILD=0 IMAGE=0
for arg in "$@"; do
  case $arg in
    --build) BUILD=1 ;;
    --image) IMAGE=1 ;;
    *) echo "usage: $0 [--build] [--image]" >&2; exit 2 ;;
  esac
done
if [ "$BUILD" = 1 ]; then
  if npm run build >"$TMP/build.log" 2>&1; then pass "npm run build"; else fail "npm run build"; tail -20 "$TMP/build.log" | indent; fi
fi

# ---------------------------------------------------------------------------------------------------
# 1. The built entry points that every file runs
# ---------------------------------------------------------------------------------------------------
for file in dist/main.js dist/cli.js dist/worker.js; do
  if [ -f "$file" ]; then pass "$file exists (npm run build)"; else fail "$file is missing: run npm run build"; fi
done
if compgen -G 'dist/ai/prompt/*.txt' >/dev/null; then pass "dist/ai/prompt/*.txt copied by nest build"; else fail "dist/ai/prompt/*.txt missing"; fi
if [ ! -f dist/cli.js ] || [ ! -f dist/main.js ]; then
  printf '\n%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
  exit 1
fi

# ---------------------------------------------------------------------------------------------------
# 2. Dockerfile, .dockerignore, compose.yaml, .env.example (node; YAML through js-yaml or python3)
# ---------------------------------------------------------------------------------------------------
tally "static checks" < <(node - "$ROOT" <<'JS' 2>&1 || true
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const root = process.argv[2];
const read = (file) => fs.readFileSync(path.join(root, file), 'utf8');
const check = (ok, text, detail) => console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}${!ok && detail ? `: ${detail}` : ''}`);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// The heap flags of the API and the workers, written once in package.json's start:prod and work:prod (README, "Memory").
const { 'start:prod': startProd, 'work:prod': workProd } = JSON.parse(read('package.json')).scripts;
const heapFlagsOf = (command) => (/^node((?: --[\w-]+=\d+)+) dist\//.exec(command ?? '') ?? [, ''])[1].trim().split(' ').filter(Boolean);
const apiFlags = heapFlagsOf(startProd);
check(apiFlags.some((flag) => flag.startsWith('--max-old-space-size=')), `package.json: start:prod runs node with the heap flags (${startProd})`);
check(/ dist\/cli\.js queue:work$/.test(workProd ?? '') && heapFlagsOf(workProd).length > 0, `package.json: work:prod runs a worker with the heap flags (${workProd})`);

function loadYaml(file) {
  try {
    const yaml = require(require.resolve('js-yaml', { paths: [root] }));
    return { data: yaml.load(read(file)), parser: 'js-yaml' };
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
  }
  const result = spawnSync('python3', ['-c', 'import sys,yaml,json; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)', path.join(root, file)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot parse ${file} (no js-yaml, python3 yaml said: ${result.stderr.trim()})`);
  return { data: JSON.parse(result.stdout), parser: 'python3 yaml' };
}

// --- Dockerfile: instructions with continuations joined, grouped by stage
const instructions = read('docker/Dockerfile')
  .replace(/\\\r?\n/g, ' ')
  .split(/\r?\n/)
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => ({ op: line.split(/\s+/)[0].toUpperCase(), args: line.slice(line.split(/\s+/)[0].length).trim() }));
const stages = [];
for (const instruction of instructions) {
  if (instruction.op === 'FROM') {
    const [, image, name] = instruction.args.match(/^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i);
    stages.push({ image, name: name ?? String(stages.length), parent: null, lines: [] });
  } else if (stages.length) stages[stages.length - 1].lines.push(instruction);
}
for (const stage of stages) stage.parent = stages.find((other) => other.name === stage.image) ?? null;
const chain = (stage) => (stage ? [stage, ...chain(stage.parent)] : []);
const runs = (stage) => chain(stage).flatMap((s) => s.lines.filter((l) => l.op === 'RUN').map((l) => l.args)).join('\n');
const final = stages[stages.length - 1];
const finalOf = (op) => final.lines.filter((l) => l.op === op);
const fromStage = (line) => (line.args.match(/--from=(\S+)/) ?? [])[1];

check(stages.length >= 3, `Dockerfile: multi-stage (${stages.map((s) => s.name).join(', ')})`);
check(/^node:\$\{NODE_VERSION\}-\S*slim$|^node:\d+\S*slim$/.test(final.image), `Dockerfile: final stage is a slim node image (${final.image})`);
const buildStage = stages.find((s) => /npm run build/.test(runs(s)) && s !== final);
const prodStage = stages.find((s) => /npm ci\b[^\n]*--omit=dev/.test(runs(s)));
check(buildStage && /python3/.test(runs(buildStage)) && /\bmake\b/.test(runs(buildStage)) && /g\+\+/.test(runs(buildStage)), 'Dockerfile: the build stage has python3, make and g++ (better-sqlite3 builds from source)');
check(prodStage && /python3/.test(runs(prodStage)) && /g\+\+/.test(runs(prodStage)), 'Dockerfile: production dependencies (npm ci --omit=dev) are installed in a stage with build tools');
check(prodStage && finalOf('COPY').some((l) => fromStage(l) === prodStage.name && /node_modules/.test(l.args)), 'Dockerfile: the runtime copies node_modules from the --omit=dev stage');
check(buildStage && finalOf('COPY').some((l) => fromStage(l) === buildStage.name && /\bdist\b/.test(l.args)), 'Dockerfile: the runtime copies dist/ from the build stage');
check(!finalOf('RUN').some((l) => /npm (ci|install)|g\+\+|build-essential/.test(l.args)), 'Dockerfile: the runtime installs no dependencies or compilers');
const user = finalOf('USER').map((l) => l.args).pop();
const userIndex = final.lines.findIndex((l) => l.op === 'USER');
const cmdIndex = final.lines.findIndex((l) => l.op === 'CMD');
check(user && !/^(root|0)(:|$)/.test(user) && userIndex < cmdIndex, `Dockerfile: the runtime runs as a non-root USER (${user})`);
check(finalOf('ENV').some((l) => /\bNODE_ENV=production\b/.test(l.args)), 'Dockerfile: NODE_ENV=production');
check(finalOf('EXPOSE').some((l) => l.args === '3000'), 'Dockerfile: EXPOSE 3000');
check(finalOf('RUN').some((l) => /mkdir -p data/.test(l.args) && /chown node/.test(l.args)), 'Dockerfile: data/ exists and belongs to the runtime user (SQLite default)');
const healthcheck = finalOf('HEALTHCHECK').map((l) => l.args).pop() ?? '';
const healthCmd = JSON.parse(healthcheck.replace(/^.*?CMD\s+/, '') || 'null');
check(same(healthCmd, ['node', 'docker/healthcheck.js', '/health/live']), 'Dockerfile: HEALTHCHECK runs node docker/healthcheck.js /health/live', healthcheck);
check(same(JSON.parse(finalOf('CMD').map((l) => l.args).pop() ?? 'null'), ['node', ...apiFlags, 'dist/main.js']), `Dockerfile: CMD is start:prod (${startProd})`);

// --- .dockerignore against what COPY takes from the context
const ignore = read('.dockerignore').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const ignored = (file) =>
  ignore.some((pattern) => {
    const regex = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '(/|$)');
    return regex.test(file);
  });
for (const must of ['.env', 'node_modules', 'dist', '.git']) check(ignored(must), `.dockerignore: excludes ${must}`);
const contextSources = stages.flatMap((s) => s.lines)
  .filter((l) => l.op === 'COPY' && !fromStage(l))
  .flatMap((l) => l.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
const missing = contextSources.filter((source) => !fs.existsSync(path.join(root, source)) || ignored(source));
check(missing.length === 0, `Dockerfile: every COPY source is in the build context (${contextSources.length} sources)`, missing.join(', '));
check(fs.existsSync(path.join(root, 'docker/healthcheck.js')), 'docker/healthcheck.js exists');

// --- compose.yaml
const { data: compose, parser } = loadYaml('docker/compose.yaml');
console.log(`NOTE  compose.yaml parsed with ${parser}`);
const services = compose.services ?? {};
const service = (name) => services[name] ?? {};
for (const name of ['mysql', 'redis', 'migrate', 'api', 'worker']) check(name in services, `compose: service ${name}`);
const commandOf = (name) => {
  const command = service(name).command;
  return Array.isArray(command) ? command.join(' ') : command;
};
check(/^mysql:8(\.|$)/.test(service('mysql').image), `compose: mysql image is MySQL 8 (${service('mysql').image})`);
check(/^redis:7(\.|$)/.test(service('redis').image), `compose: redis image is Redis 7 (${service('redis').image})`);
check(/mysqladmin.*ping/.test(JSON.stringify(service('mysql').healthcheck?.test)), 'compose: mysql health check is mysqladmin ping');
check(/redis-cli.*ping/.test(JSON.stringify(service('redis').healthcheck?.test)), 'compose: redis health check is redis-cli ping');
const redisCommand = commandOf('redis') ?? '';
for (const flag of ['--appendonly yes', '--appendfsync everysec', '--maxmemory-policy noeviction']) check(redisCommand.includes(flag), `compose: redis runs with ${flag}`);
check(commandOf('migrate') === 'node dist/cli.js migration:run', `compose: migrate runs node dist/cli.js migration:run`, commandOf('migrate'));
check(commandOf('api') === startProd, `compose: api runs ${startProd}`, commandOf('api'));
check(commandOf('worker') === workProd, `compose: worker runs work:prod (${workProd})`, commandOf('worker'));
check(service('migrate').depends_on?.mysql?.condition === 'service_healthy', 'compose: migrate waits for mysql to be healthy');
check(String(service('migrate').restart) === 'no', 'compose: migrate is one-shot (restart "no")');
for (const name of ['api', 'worker']) {
  check(service(name).depends_on?.migrate?.condition === 'service_completed_successfully', `compose: ${name} waits for migrate to complete successfully`);
  check(service(name).depends_on?.redis?.condition === 'service_healthy', `compose: ${name} waits for redis to be healthy`);
}
const seconds = (value) => {
  const match = String(value ?? '').match(/^(?:(\d+)m)?(?:(\d+)s)?$/);
  return match && value ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : NaN;
};
check(seconds(service('worker').stop_grace_period) > 65, `compose: worker stop_grace_period (${service('worker').stop_grace_period}) > JOB_TIMEOUT_MS 60 s + 5 s`);
check(Number(service('worker').deploy?.replicas) >= 2, `compose: worker replicas (${service('worker').deploy?.replicas})`);
check(/\/health\/ready/.test(JSON.stringify(service('api').healthcheck?.test)) && /healthcheck\.js/.test(JSON.stringify(service('api').healthcheck?.test)), 'compose: api health check is /health/ready through docker/healthcheck.js');
check((service('api').ports ?? []).some((p) => String(p).endsWith(':3000')), 'compose: api publishes container port 3000');
for (const name of ['mysql', 'redis', 'api']) check(service(name).healthcheck && !service(name).healthcheck.disable, `compose: ${name} has a health check`);
for (const name of ['migrate', 'worker']) check(service(name).healthcheck?.disable === true, `compose: ${name} (no HTTP server) disables the image's HTTP health check`);
const envOf = (name) => {
  const env = service(name).environment ?? {};
  return Array.isArray(env) ? Object.fromEntries(env.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')])) : env;
};
for (const name of ['migrate', 'api', 'worker']) {
  const env = envOf(name);
  const envFile = [].concat(service(name).env_file ?? []);
  check(envFile.some((f) => path.resolve(root, 'docker', typeof f === 'string' ? f : f.path) === path.join(root, '.env')), `compose: ${name} reads ../.env (the repository's .env)`);
  check(/^mysql:\/\/\$\{DB_USERNAME:-[^}]+\}:\$\{DB_PASSWORD:\?[^}]*\}@mysql:3306\/\$\{DB_DATABASE:-[^}]+\}$/.test(env.DATABASE_URL ?? ''), `compose: ${name} DATABASE_URL points at the mysql service`, env.DATABASE_URL);
  check(env.QUEUE_CONNECTION === 'redis' && env.REDIS_URL === 'redis://redis:6379', `compose: ${name} uses the redis service as queue`);
  check(String(env.DB_MIGRATE) === 'false', `compose: ${name} DB_MIGRATE=false (migrate does it)`);
  const build = service(name).build ?? {};
  check(path.resolve(root, 'docker', build.context ?? '') === root && fs.existsSync(path.resolve(root, build.dockerfile ?? 'x')), `compose: ${name} builds docker/Dockerfile from the repository root`);
}
const restartPolicies = ['no', 'always', 'on-failure', 'unless-stopped'];
const badRestart = Object.entries(services).filter(([, s]) => s.restart !== undefined && !restartPolicies.includes(String(s.restart).replace(/:\d+$/, '')));
check(badRestart.length === 0, 'compose: every restart policy is one compose knows', badRestart.map(([n, s]) => `${n}: ${s.restart}`).join(', '));
check(String(envOf('api').RUN_WORKER) === 'false', 'compose: api RUN_WORKER=false (the worker service runs the jobs)');
check(String(envOf('api').PORT) === '3000', 'compose: api PORT=3000 (what the health check and ports expect)');

// --- .env.example against the service's own defaults (from the build)
const example = read('.env.example');
const { EnvironmentVariables } = require(path.join(root, 'dist/config/environment.js'));
const { validateEnvironment } = require(path.join(root, 'dist/config/validate-environment.js'));
const defaults = new EnvironmentVariables();
const appVariables = Object.keys(defaults);
const composeVariables = [...new Set([...read('docker/compose.yaml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]))];
const documented = new Map();
for (const match of example.matchAll(/^(#\s)?([A-Z_][A-Z0-9_]*)=(.*)$/gm)) if (!documented.has(match[2])) documented.set(match[2], { commented: Boolean(match[1]), value: match[3] });
const undocumented = [...appVariables, ...composeVariables].filter((name) => !documented.has(name));
check(undocumented.length === 0, `.env.example: documents all ${appVariables.length} service variables and ${composeVariables.length} compose variables`, `missing ${undocumented.join(', ')}`);
const unknown = [...documented.keys()].filter((name) => !appVariables.includes(name) && !composeVariables.includes(name));
check(unknown.length === 0, '.env.example: documents no variable that nothing reads', unknown.join(', '));
const wrong = appVariables.filter((name) => documented.get(name)?.commented && documented.get(name).value !== String(defaults[name] ?? ''));
check(wrong.length === 0, '.env.example: every commented default is the service\'s default', wrong.map((n) => `${n}=${documented.get(n).value} (default ${defaults[n]})`).join(', '));
const composeDefaults = [...read('docker/compose.yaml').matchAll(/\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}/g)];
const wrongCompose = composeDefaults.filter(([, name, value]) => documented.get(name)?.commented && documented.get(name).value !== value);
check(wrongCompose.length === 0, '.env.example: commented compose defaults match compose.yaml', wrongCompose.map((m) => m[0]).join(', '));
const fromExample = Object.fromEntries([...documented].filter(([name]) => appVariables.includes(name)).map(([name, { value }]) => [name, value]));
try {
  validateEnvironment(fromExample);
  check(true, '.env.example: its values, uncommented, are a valid configuration');
} catch (error) {
  check(false, '.env.example: its values, uncommented, are a valid configuration', error.message.replace(/\n/g, ' '));
}
const keyCommands = example.split('\n').filter((l) => /^#.*base64:/.test(l) && /(openssl rand|randomBytes\()/.test(l));
check(keyCommands.length > 0, '.env.example: shows how to generate APP_KEY');
for (const line of keyCommands) {
  const command = line.replace(/^#\s*(or\s+)?/, '');
  const result = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
  const key = result.stdout.trim();
  let valid = result.status === 0;
  try { validateEnvironment({ NODE_ENV: 'production', APP_KEY: key, API_TOKEN: 'x'.repeat(32) }); } catch { valid = false; }
  check(valid && Buffer.from(key.slice(7), 'base64').length === 32, `.env.example: the documented APP_KEY command makes a valid 32-byte key (${command})`);
}
const envFile = spawnSync(process.execPath, [`--env-file=${path.join(root, '.env.example')}`, '-e', '0'], { encoding: 'utf8' });
check(envFile.status === 0, '.env.example: node --env-file reads it (as the supervisor program does)', envFile.stderr.trim());
console.log('DONE');
JS
)

# ---------------------------------------------------------------------------------------------------
# 3. Supervisor program and systemd units (python3 standard library)
# ---------------------------------------------------------------------------------------------------
tally "supervisor/systemd checks" < <(python3 - "$ROOT" <<'PY' 2>&1 || true
import configparser, json, os, re, sys
root = sys.argv[1]
# The heap flags of the API and the workers, written once in package.json's start:prod and work:prod.
scripts = json.load(open(os.path.join(root, 'package.json')))['scripts']
def heap_flags_of(name):
    match = re.match(r'^node((?: --[\w-]+=\d+)+) dist/', scripts.get(name, ''))
    return match.group(1).strip() if match else '--max-old-space-size=(missing in %s)' % name
api_flags, worker_flags = heap_flags_of('start:prod'), heap_flags_of('work:prod')
def check(ok, text, detail=''):
    print(('PASS  ' if ok else 'FAIL  ') + text + (': ' + detail if not ok and detail else ''))

conf = os.path.join(root, 'docker/supervisor/autoseo-worker.conf')
parser = configparser.RawConfigParser(inline_comment_prefixes=None)
try:
    parser.read(conf)
    check(True, 'supervisor: autoseo-worker.conf parses (configparser)')
except configparser.Error as error:
    check(False, 'supervisor: autoseo-worker.conf parses (configparser)', str(error))
    print('DONE'); sys.exit()
section = 'program:autoseo-worker'
check(parser.has_section(section), 'supervisor: [program:autoseo-worker]')
get = lambda key, default='': parser.get(section, key, fallback=default).strip()
command = get('command')
check(re.match(r'^\S*\bnode ' + re.escape(worker_flags) + r'(\s+--env-file=\S+)?\s+\S*/dist/cli\.js queue:work$', command) is not None, 'supervisor: command runs node %s .../dist/cli.js queue:work' % worker_flags, command)
check(get('directory') != '' and command.split()[-2].startswith(get('directory') + '/dist/'), 'supervisor: directory is the app root (dist/ and data/ are relative to it)')
check('%(process_num)' in get('process_name') and int(get('numprocs', '1')) >= 2, 'supervisor: numprocs >= 2 with %(process_num) in process_name')
check(get('autostart') == 'true' and get('autorestart') == 'true', 'supervisor: autostart and autorestart')
check(get('stopsignal') == 'TERM', 'supervisor: stopsignal=TERM')
check(int(get('stopwaitsecs', '10')) > 65, 'supervisor: stopwaitsecs (%s) > JOB_TIMEOUT_MS 60 s + 5 s' % get('stopwaitsecs', '10'))
check(get('user') not in ('', 'root'), 'supervisor: runs as a non-root user (%s)' % get('user'))

def unit(file):
    sections, current = {}, None
    for raw in open(os.path.join(root, 'docker/systemd', file)):
        line = raw.strip()
        if not line or line[0] in '#;':
            continue
        if line.startswith('['):
            current = sections.setdefault(line.strip('[]'), {})
        else:
            key, _, value = line.partition('=')
            current.setdefault(key.strip(), []).append(value.strip())
    return sections

for file, entry in (('autoseo-api.service', api_flags + ' dist/main.js'), ('autoseo-worker@.service', worker_flags + ' dist/cli.js queue:work')):
    service = unit(file).get('Service', {})
    last = lambda key: (service.get(key) or [''])[-1]
    check(re.match(r'^/\S*node ' + re.escape(entry) + '$', last('ExecStart')) is not None, '%s: ExecStart runs node %s' % (file, entry), last('ExecStart'))
    check(last('WorkingDirectory') != '', '%s: WorkingDirectory set (dist/ is relative to it)' % file)
    check(last('EnvironmentFile') == '/etc/autoseo/env', '%s: EnvironmentFile=/etc/autoseo/env' % file)
    check(last('KillSignal') == 'SIGTERM', '%s: KillSignal=SIGTERM' % file)
    stop = last('TimeoutStopSec')
    check(stop.isdigit() and int(stop) > 65, '%s: TimeoutStopSec (%s) > JOB_TIMEOUT_MS 60 s + 5 s' % (file, stop))
    check(last('Restart') == 'on-failure', '%s: Restart=on-failure' % file)
    check(last('User') not in ('', 'root', '0'), '%s: runs as a non-root user (%s)' % (file, last('User')))
    hardening = {'NoNewPrivileges': 'true', 'ProtectSystem': 'strict', 'PrivateTmp': 'true'}
    check(all(last(k) == v for k, v in hardening.items()) and last('ReadWritePaths').endswith('/data'), '%s: NoNewPrivileges, ProtectSystem=strict with ReadWritePaths=.../data, PrivateTmp' % file)
    check(last('MemoryDenyWriteExecute') in ('', 'false', 'no'), '%s: no MemoryDenyWriteExecute (breaks V8)' % file)
api = unit('autoseo-api.service').get('Service', {})
check(any(re.match(r'^/\S*node dist/cli\.js migration:run$', v) for v in api.get('ExecStartPre', [])), 'autoseo-api.service: ExecStartPre runs node dist/cli.js migration:run')
print('DONE')
PY
)

# Supervisor's own parser, when installed (apt-get install supervisor). The user and the log
# directory are looked up on this machine, so they are replaced by ones that exist here.
SUPERVISOR_PY=""
for py in python3 /usr/bin/python3; do
  if command -v "$py" >/dev/null && "$py" -c 'import supervisor.options' 2>/dev/null; then SUPERVISOR_PY=$py; break; fi
done
if [ -n "$SUPERVISOR_PY" ]; then
  if out=$("$SUPERVISOR_PY" - "$ROOT/docker/supervisor/autoseo-worker.conf" "$TMP" <<'PY' 2>&1
import getpass, sys
from supervisor.options import ServerOptions, UnhosedConfigParser
parser = UnhosedConfigParser()
parser.read_string(open(sys.argv[1]).read())
section = 'program:autoseo-worker'
parser.set(section, 'user', getpass.getuser())
log = parser.get(section, 'stdout_logfile')
parser.set(section, 'stdout_logfile', sys.argv[2] + '/' + log.rsplit('/', 1)[1])
configs = [c for g in ServerOptions().process_groups_from_parser(parser) for c in g.process_configs]
print(' '.join(c.name for c in configs), '| stopwaitsecs', configs[0].stopwaitsecs, '| stopsignal', configs[0].stopsignal)
PY
  ); then
    pass "supervisor: its own parser accepts the program ($out)"
    note "supervisor: user 'autoseo' and /var/log/supervisor are checked on the server, not here"
  else
    fail "supervisor: its own parser rejects the program"; printf '%s\n' "$out" | indent
  fi
else
  skip "supervisor's parser (python module 'supervisor' not installed)"
fi

# systemd-analyze verify: syntax errors and unknown keys fail; what only the target server has
# (the node binary's path, the autoseo user, /srv/autoseo) is reported, not failed.
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$TMP/units"
  cp docker/systemd/autoseo-api.service "$TMP/units/"
  cp docker/systemd/autoseo-worker@.service "$TMP/units/"
  cp docker/systemd/autoseo-worker@.service "$TMP/units/autoseo-worker@1.service"
  for unit in autoseo-api.service autoseo-worker@.service autoseo-worker@1.service; do
    status=0
    out=$(cd "$TMP/units" && systemd-analyze verify --man=no "./$unit" 2>&1) || status=$?
    syntax=$(printf '%s\n' "$out" | grep -Ei 'unknown (key|section)|failed to parse|invalid|bad unit file|fatal error|neither a valid|unbalanced|missing' | grep -v 'is not executable' || true)
    if [ -n "$syntax" ]; then
      fail "systemd-analyze verify $unit"; printf '%s\n' "$out" | indent
    elif [ "$status" -ne 0 ] || [ -n "$out" ]; then
      pass "systemd-analyze verify $unit (syntax); environment-only remarks:"; printf '%s\n' "$out" | indent
    else
      pass "systemd-analyze verify $unit"
    fi
  done
else
  skip "systemd-analyze verify (not installed)"
fi

# ---------------------------------------------------------------------------------------------------
# 4. compose's own validation, when a compose CLI is installed (no engine needed for `config`)
# ---------------------------------------------------------------------------------------------------
COMPOSE=()
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then COMPOSE=(docker-compose)
fi
if [ ${#COMPOSE[@]} -gt 0 ]; then
  # A copy of the layout, so a real ./.env is neither needed nor read.
  mkdir -p "$TMP/compose/docker"
  cp docker/compose.yaml docker/Dockerfile "$TMP/compose/docker/"
  sed -e 's/^DB_PASSWORD=$/DB_PASSWORD=validate/' .env.example >"$TMP/compose/.env"
  if out=$(cd "$TMP/compose" && "${COMPOSE[@]}" -f docker/compose.yaml --env-file .env config 2>&1); then
    pass "${COMPOSE[*]} config accepts compose.yaml"
    printf '%s\n' "$out" >"$TMP/compose/resolved.yaml"
  else
    fail "${COMPOSE[*]} config"; printf '%s\n' "$out" | indent
  fi
  # Without DB_PASSWORD compose must refuse to start, naming the variable.
  sed -i 's/^DB_PASSWORD=validate$/DB_PASSWORD=/' "$TMP/compose/.env"
  if out=$(cd "$TMP/compose" && "${COMPOSE[@]}" -f docker/compose.yaml --env-file .env config 2>&1); then
    fail "${COMPOSE[*]} config without DB_PASSWORD should fail"
  elif printf '%s' "$out" | grep -q 'DB_PASSWORD'; then
    pass "${COMPOSE[*]} config without DB_PASSWORD fails naming it"
  else
    fail "${COMPOSE[*]} config without DB_PASSWORD fails, but without naming it"; printf '%s\n' "$out" | indent
  fi
else
  skip "docker compose config (no compose CLI; docker-compose from apt or the compose plugin would do)"
fi

# ---------------------------------------------------------------------------------------------------
# 5. The commands themselves, as the image runs them: SQLite in a temporary directory, loopback only
# ---------------------------------------------------------------------------------------------------
# By default from the work tree; with --image from a copy laid out like the runtime stage.
APP_DIR=$ROOT DATA_DIR=$TMP/data AS_USER=()
if [ "$IMAGE" = 1 ]; then
  APP_DIR=$TMP/app DATA_DIR=$TMP/app/data
  mkdir -p "$APP_DIR/docker"
  cp package.json package-lock.json .prebuild-installrc "$APP_DIR/"
  if (cd "$APP_DIR" && npm ci --omit=dev --no-audit --no-fund) >"$TMP/npm-ci.log" 2>&1; then
    pass "image layout: npm ci --omit=dev (production dependencies only, native addons built)"
  else
    fail "image layout: npm ci --omit=dev"; tail -20 "$TMP/npm-ci.log" | indent
  fi
  cp -r dist "$APP_DIR/dist"
  cp docker/healthcheck.js "$APP_DIR/docker/"
  mkdir -p "$DATA_DIR"
  # Like USER node over root-owned code: only data/ is writable. As root here, run as nobody.
  if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod 755 "$TMP"
    chmod -R a+rX,go-w "$APP_DIR"
    chown nobody "$DATA_DIR"
    AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    note "image layout: commands run as nobody, with the code read-only and only data/ writable"
  fi
  note "image layout: the commands below run from $APP_DIR"
else
  mkdir -p "$DATA_DIR"
fi
cd "$APP_DIR"

APP_KEY_VALUE="base64:$(node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64'))")"
# A clean environment: nothing from this shell (a DATABASE_URL, REDIS_URL...) leaks in. An array, not
# a function, so that `"${APP_ENV[@]}" node ... &` makes $! the node process itself (env execs it).
set_app_env() {
  APP_ENV=("${AS_USER[@]}" env -i PATH="$PATH" HOME=/nonexistent NODE_ENV=production PORT="$1"
    DATABASE_URL="sqlite:$DATA_DIR/validate.sqlite" QUEUE_CONNECTION=database DB_MIGRATE=false RUN_WORKER=false
    APP_KEY="$APP_KEY_VALUE" API_TOKEN=validate-token-0123456789 AI_URL=http://127.0.0.1:9/chat LOG_LEVEL=info)
}
run_app() { "${APP_ENV[@]}" "$@"; }
set_app_env 3000
expect_exit() {
  local want=$1 name=$2 status=0; shift 2
  out=$("$@" 2>&1) || status=$?
  if [ "$status" -eq "$want" ]; then pass "$name (exit $status)"; else fail "$name: exit $status, expected $want"; printf '%s\n' "$out" | tail -15 | indent; fi
}

expect_exit 0 "node dist/cli.js migration:run --help" run_app timeout 60 node dist/cli.js migration:run --help
expect_exit 0 "node dist/cli.js queue:work --help" run_app timeout 60 node dist/cli.js queue:work --help
expect_exit 0 "node dist/cli.js migration:run (SQLite)" run_app timeout 60 node dist/cli.js migration:run
expect_exit 0 "node dist/cli.js migration:run again (nothing to do)" run_app timeout 60 node dist/cli.js migration:run
expect_exit 0 "node --env-file=<.env.example> dist/cli.js queue:work --help (the supervisor form)" \
  run_app timeout 60 node "--env-file=$ROOT/.env.example" dist/cli.js queue:work --help

# SIGTERM, then up to 75 s (the stop timeout of every file here) before SIGKILL; sets status, SECONDS.
stop_status() {
  local pid=$1
  status=0
  SECONDS=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt 75 ]; do sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || status=$?
}

set_app_env "$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
expect_exit 1 "docker/healthcheck.js against a port nothing listens on" run_app node docker/healthcheck.js /health/live

# RUN_WORKER=true: the API with its in-process worker, the default outside compose.
# The API and the worker run with the heap flags of package.json's start:prod and work:prod, as every file here runs them.
heap_flags() { node -e 'const m = /^node((?: --[\w-]+=\d+)+) dist\//.exec(require(process.argv[1]).scripts[process.argv[2]] ?? ""); process.stdout.write(m ? m[1].trim() : "")' "$ROOT/package.json" "$1"; }
API_FLAGS=$(heap_flags start:prod) WORKER_FLAGS=$(heap_flags work:prod)
# shellcheck disable=SC2086 # API_FLAGS is a list of flags
"${APP_ENV[@]}" RUN_WORKER=true node $API_FLAGS dist/main.js >"$TMP/api.log" 2>&1 &
API_PID=$!
PIDS+=("$API_PID")
sleep 0.2
case $(ps -o args= -p "$API_PID" 2>/dev/null) in node*) ;; *) note "pid $API_PID is not node itself: signals below may not reach it" ;; esac
up=0
for _ in $(seq 1 60); do
  if run_app node docker/healthcheck.js /health/live >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$API_PID" 2>/dev/null || break
  sleep 0.5
done
if [ "$up" = 1 ]; then
  pass "node dist/main.js answers /health/live (NODE_ENV=production, API_TOKEN set, no token sent)"
  expect_exit 0 "docker/healthcheck.js /health/ready (database + queue up)" run_app node docker/healthcheck.js /health/ready
  expect_exit 1 "docker/healthcheck.js on a route that is not 2xx" run_app node docker/healthcheck.js /no-such-route
else
  fail "node dist/main.js did not answer /health/live within 30 s"; tail -20 "$TMP/api.log" | indent
fi
stop_status "$API_PID"
# Nest closes the app (the worker waits for its jobs in flight), then re-raises the signal: exit 143
# is a clean stop there, and systemd counts a death by SIGTERM as one too. A clean stop logs it.
if { [ "$status" -eq 0 ] || [ "$status" -eq 143 ]; } && [ "$SECONDS" -lt 75 ] && grep -qi 'stopping on SIGTERM' "$TMP/api.log"; then
  pass "node dist/main.js stops cleanly on SIGTERM (exit $status after closing, ${SECONDS} s)"
else
  fail "node dist/main.js on SIGTERM: exit $status after ${SECONDS} s, no clean stop logged"; tail -10 "$TMP/api.log" | indent
fi

# shellcheck disable=SC2086 # WORKER_FLAGS is a list of flags
"${APP_ENV[@]}" node $WORKER_FLAGS dist/cli.js queue:work >"$TMP/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=("$WORKER_PID")
for _ in $(seq 1 20); do
  grep -qi 'taking\|worker' "$TMP/worker.log" 2>/dev/null && break
  kill -0 "$WORKER_PID" 2>/dev/null || break
  sleep 0.5
done
if kill -0 "$WORKER_PID" 2>/dev/null; then
  pass "node dist/cli.js queue:work keeps running (database driver)"
  stop_status "$WORKER_PID"
  if [ "$status" -eq 0 ] && grep -qi 'stopping on SIGTERM' "$TMP/worker.log"; then pass "node dist/cli.js queue:work stops with exit 0 on SIGTERM (${SECONDS} s, idle)"; else fail "queue:work on SIGTERM: exit $status"; tail -10 "$TMP/worker.log" | indent; fi
else
  status=0; wait "$WORKER_PID" || status=$?
  fail "node dist/cli.js queue:work exited at start (exit $status)"; tail -20 "$TMP/worker.log" | indent
fi

note "not validated here: docker build, the containers themselves, MySQL 8 and Redis 7 health checks, systemd and supervisor running the programs (no Docker engine, no init system)"
printf '\n%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
[ "$FAILED" -eq 0 ]

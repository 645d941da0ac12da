/**
 * `npm run engine:build`: builds FerretDB 1.24.2 into the tools folder now,
 * instead of on the first `npm start` (CI calls it before the tests), and,
 * when `java` and `mvn` are on the PATH, the mongo-java-server jar the second
 * test run uses (test/helpers/mongo-java-server/).
 */
import { loadConfig } from '../server/config.ts';
import { EngineUnavailableError, ensureFerretDb } from '../server/db/ferretdb-build.ts';
import {
  canBuildMongoJavaServer,
  ensureMongoJavaServer,
  MongoJavaServerUnavailableError,
} from '../test/helpers/mongo-java-server.ts';

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const print = (line: string) => process.stdout.write(`${line}\n`);
try {
  const config = loadConfig();
  const binary = await ensureFerretDb(config.toolsDir, print);
  print(`FerretDB ready at ${binary} (${seconds()} s)`);
  if (canBuildMongoJavaServer()) {
    const jar = await ensureMongoJavaServer(config.toolsDir, print);
    print(`mongo-java-server ready at ${jar} (${seconds()} s)`);
  } else {
    print('mongo-java-server not built: it needs `java` (17+) and `mvn` on the PATH');
  }
} catch (err) {
  const known = err instanceof EngineUnavailableError || err instanceof MongoJavaServerUnavailableError;
  process.stderr.write(`${known ? (err as Error).message : String(err)}\n`);
  process.exit(1);
}

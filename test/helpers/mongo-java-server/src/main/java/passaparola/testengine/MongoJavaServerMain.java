package passaparola.testengine;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The in-memory mongo-java-server the integration tests run on with
 * TEST_ENGINE=mongo-java-server (test/helpers/engine.ts starts it).
 *
 * Usage: java -jar mongo-java-server.jar PORT (0 = any free port). Binds to
 * 127.0.0.1, prints the port it listens on as one line on stdout, and stops
 * when its standard input closes: a test run that is killed never leaves it
 * behind.
 */
public final class MongoJavaServerMain {

    /**
     * The library's own versions announce at most wire version 8, which the
     * Node driver 7 refuses (it needs MongoDB 4.4, wire version 9).
     */
    private static final MongoVersion MONGO_4_4 = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    private MongoJavaServerMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        MongoServer server = new MongoServer(new MemoryBackend().version(MONGO_4_4));
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        System.out.println(address.getPort());
        System.out.flush();

        InputStream stdin = System.in;
        byte[] buffer = new byte[256];
        try {
            while (stdin.read(buffer) >= 0) {
                // input is ignored: only its end matters
            }
        } finally {
            server.shutdownNow();
        }
        System.exit(0);
    }
}

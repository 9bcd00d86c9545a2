/*
 * EmbeddedTrino - a real Trino coordinator (and worker) in this JVM, for the
 * tests of tests/trino/.
 *
 * Starts Trino's own in-process server (io.trino.server.testing.
 * TestingTrinoServer: the same parser, analyzer, planner and executor as a
 * Trino deployment, serving the client protocol over HTTP) on 127.0.0.1 at a
 * free port, with the memory connector as catalog "memory" (tables with ROW,
 * MAP, ARRAY and TIMESTAMP columns). When it is ready it prints one line
 * "ready http://127.0.0.1:PORT" on standard output. It stops when its
 * standard input reaches end of file (the test runner closes it, or dies), or
 * after the number of seconds given as the first argument (default 3600), so
 * that it can never outlive the tests.
 */
import io.trino.plugin.memory.MemoryPlugin;
import io.trino.server.testing.TestingTrinoServer;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.Map;

public final class EmbeddedTrino
{
    private EmbeddedTrino() {}

    public static void main(String[] args)
            throws Exception
    {
        // Trino's logging takes over System.out: keep the real standard output
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        long limit = args.length > 0 ? Long.parseLong(args[0]) : 3600;

        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(limit * 1000);
            }
            catch (InterruptedException e) {
                return;
            }
            System.err.println("EmbeddedTrino: time limit reached, stopping");
            Runtime.getRuntime().halt(3);
        });
        watchdog.setDaemon(true);
        watchdog.start();

        TestingTrinoServer server = TestingTrinoServer.builder()
                .setProperties(Map.of("http-server.http.port", "0"))
                .build();
        server.installPlugin(new MemoryPlugin());
        server.createCatalog("memory", "memory", Map.of());
        out.println("ready " + server.getBaseUrl());

        while (System.in.read() != -1) {
            // wait for end of input
        }
        server.close();
        Runtime.getRuntime().halt(0);
    }
}

package onewindow;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.time.Instant;

/**
 * Temporal's own time-skipping test server, started with its clock at a chosen instant.
 * Arguments: {@code <port> [--enable-time-skipping] [--start-at <ISO-8601 instant>]}.
 * Without --start-at it behaves like io.temporal.testserver.TestServer (the clock starts now).
 * Tests need this to run cases whose legal deadlines fall in a given year's holiday calendar.
 */
public final class TestServerAt {
  private TestServerAt() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: <port> [--enable-time-skipping] [--start-at 2026-09-18T02:00:00Z]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean skipping = false;
    long startMillis = 0L; // 0 = now, as the stock server does
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--enable-time-skipping")) {
        skipping = true;
      } else if (args[i].equals("--start-at") && i + 1 < args.length) {
        startMillis = Instant.parse(args[++i]).toEpochMilli();
      }
    }
    TestServicesStarter services = new TestServicesStarter(!skipping, startMillis);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}

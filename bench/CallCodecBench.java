import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import org.callpark.api.ParkedCall;
import org.callpark.spi.json.CallCodec;

/**
 * Time and allocation per encode and per decode of one parked call's cluster record ({@link CallCodec}), the
 * record every compare-and-set writes and every node's entry listener, retrieve and sweep reads. Single thread, after a
 * warm-up; the record is read from a file (a real one: a parked caller's SIP journal entry, session included).
 *
 * java -cp api.jar:jackson-core.jar:jackson-databind.jar:jackson-annotations.jar:hazelcast.jar \
 *     bench/CallCodecBench.java RECORD.json [SECONDS]
 */
public class CallCodecBench {

    public static void main(String[] args) throws Exception {
        String json = Files.readString(Path.of(args[0]));
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        CallCodec codec = new CallCodec();
        ParkedCall call = codec.fromJson(json);
        if (!codec.fromJson(codec.toJson(call)).equals(call)) {
            throw new IllegalStateException("the record does not survive a round trip");
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
                .getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (String op : new String[] {"encode", "decode", "encode", "decode"}) { // the first pair warms up
            long sink = 0;
            long n = 0;
            long bytes0 = threads.getThreadAllocatedBytes(tid);
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    sink += op.equals("encode") ? codec.toJson(call).length() : codec.fromJson(json).version();
                }
                n += 1000;
            }
            long t1 = System.nanoTime();
            long bytes1 = threads.getThreadAllocatedBytes(tid);
            System.out.printf("%s: %.2f µs per record, %.0f bytes allocated per record (%d records, %d chars, %d)%n",
                    op, (t1 - t0) / 1e3 / n, (double) (bytes1 - bytes0) / n, n, json.length(), sink % 10);
        }
    }
}

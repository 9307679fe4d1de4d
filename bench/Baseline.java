import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The plain baseline the server is compared with: hold music pre-encoded once (G.711 u-law, 20 ms frames), ONE timer
 * thread with absolute deadlines (start + k * 20 ms), one DatagramChannel per stream, sending to N receivers.
 * Usage: java Baseline N seconds host samplePortBase sampleCount sinkPortBase [sinkCount]
 * (streams 0..sampleCount-1 go to the sample ports, the others round robin to the sinkCount (2500) sink ports, as the
 * server's streams do in bench.py).
 */
public final class Baseline {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        String host = args[2];
        int sampleBase = Integer.parseInt(args[3]);
        int samples = Integer.parseInt(args[4]);
        int sinkBase = Integer.parseInt(args[5]);
        int sinks = args.length > 6 ? Integer.parseInt(args[6]) : 2500;
        // 1 s of a 425 Hz tone, u-law encoded once: 50 payloads of 160 bytes.
        byte[][] frames = new byte[50][160];
        for (int i = 0; i < 8000; i++) {
            frames[i / 160][i % 160] = ulaw((short) (8000 * Math.sin(2 * Math.PI * 425 * i / 8000.0)));
        }
        DatagramChannel[] ch = new DatagramChannel[n];
        InetSocketAddress[] to = new InetSocketAddress[n];
        int[] ssrc = new int[n];
        int[] seq = new int[n];
        int[] ts = new int[n];
        java.util.Random r = new java.util.Random();
        for (int i = 0; i < n; i++) {
            ch[i] = DatagramChannel.open();
            ch[i].bind(new InetSocketAddress(host, 0));
            ch[i].configureBlocking(false);
            to[i] = new InetSocketAddress(host, i < samples ? sampleBase + i : sinkBase + (i - samples) % sinks);
            ssrc[i] = r.nextInt();
            seq[i] = r.nextInt(65536);
            ts[i] = r.nextInt();
        }
        ByteBuffer pkt = ByteBuffer.allocateDirect(172);
        long start = System.nanoTime() + 20_000_000L;
        long ticks = (long) (seconds * 50);
        System.out.println("started " + n);
        for (long k = 0; k < ticks; k++) {
            long deadline = start + k * 20_000_000L;
            long wait;
            while ((wait = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            byte[] payload = frames[(int) (k % 50)];
            for (int i = 0; i < n; i++) {
                pkt.clear();
                pkt.put((byte) 0x80).put((byte) (k == 0 ? 0x80 : 0x00)).putShort((short) seq[i]).putInt(ts[i])
                        .putInt(ssrc[i]).put(payload);
                pkt.flip();
                ch[i].send(pkt, to[i]);
                seq[i] = (seq[i] + 1) & 0xFFFF;
                ts[i] += 160;
            }
        }
        for (DatagramChannel c : ch) {
            c.close();
        }
    }

    private static byte ulaw(short sample) {
        int s = sample;
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        if (s > 32635) {
            s = 32635;
        }
        s += 0x84;
        int exp = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exp > 0; exp--, mask >>= 1) {
        }
        int mant = (s >> (exp + 3)) & 0x0F;
        return (byte) ~(sign | (exp << 4) | mant);
    }
}

package org.callpark.systests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sockets a process listens on, read the way {@code ss -ltunp} does: the socket inodes among the process's file
 * descriptors ({@code /proc/<pid>/fd/* -> socket:[inode]}) matched with the kernel's socket tables
 * ({@code /proc/net/tcp}, {@code tcp6}: state {@code 0A} LISTEN; {@code udp}, {@code udp6}: every bound socket).
 */
final class Listeners {

    /** One listening socket: {@code tcp}/{@code udp}, its local address and port. */
    record Socket(String protocol, InetAddress address, int port) {
        boolean loopback() {
            return address.isLoopbackAddress();
        }

        @Override
        public String toString() {
            return protocol + " " + address.getHostAddress() + ":" + port;
        }
    }

    private Listeners() {
    }

    static List<Socket> of(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<Socket> sockets = new ArrayList<>();
        read("tcp", Path.of("/proc/net/tcp"), inodes, sockets);
        read("tcp", Path.of("/proc/net/tcp6"), inodes, sockets);
        read("udp", Path.of("/proc/net/udp"), inodes, sockets);
        read("udp", Path.of("/proc/net/udp6"), inodes, sockets);
        return sockets;
    }

    private static void read(String protocol, Path table, Set<String> inodes, List<Socket> into) throws IOException {
        if (!Files.exists(table)) {
            return;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            String state = f[3];
            if (!inodes.contains(f[9]) || (protocol.equals("tcp") && !state.equals("0A"))) {
                continue;
            }
            String[] local = f[1].split(":");
            into.add(new Socket(protocol, address(local[0]), Integer.parseInt(local[1], 16)));
        }
    }

    /** The kernel prints the address as 32-bit words in host (little-endian) byte order. */
    private static InetAddress address(String hex) throws UnknownHostException {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(b);
    }
}

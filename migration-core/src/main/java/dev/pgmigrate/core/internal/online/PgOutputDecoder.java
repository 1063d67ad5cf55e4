package dev.pgmigrate.core.internal.online;

import dev.pgmigrate.core.internal.online.Change.Column;
import dev.pgmigrate.core.internal.online.Change.Tuple;
import dev.pgmigrate.core.internal.online.Change.Value;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the messages of the {@code pgoutput} plugin, protocol version 1, as PostgreSQL's "Logical Replication
 * Message Formats" describes them. The replication connection's client encoding is UTF-8, so every string and text
 * value is UTF-8. A message this version does not know is an error naming its tag: skipping it could lose a change.
 */
public final class PgOutputDecoder {
    private PgOutputDecoder() {
    }

    /** Decodes one message; the buffer's position ends after it. */
    public static Change decode(ByteBuffer in) {
        char tag = (char) in.get();
        return switch (tag) {
            case 'B' -> new Change.Begin(in.getLong(), in.getLong(), in.getInt());
            case 'C' -> {
                in.get(); // flags, unused
                yield new Change.Commit(in.getLong(), in.getLong(), in.getLong());
            }
            case 'O' -> new Change.Origin(in.getLong(), string(in));
            case 'R' -> relation(in);
            case 'Y' -> new Change.Type(in.getInt(), string(in), string(in));
            case 'I' -> {
                int oid = in.getInt();
                expect(in, 'N', "Insert");
                yield new Change.Insert(oid, tuple(in));
            }
            case 'U' -> update(in);
            case 'D' -> {
                int oid = in.getInt();
                char kind = (char) in.get();
                if (kind != 'K' && kind != 'O') {
                    throw new IllegalStateException("pgoutput Delete: expected K or O, got '" + kind + "'");
                }
                yield new Change.Delete(oid, tuple(in), kind == 'O');
            }
            case 'T' -> truncate(in);
            case 'M' -> {
                boolean transactional = (in.get() & 1) != 0;
                long lsn = in.getLong();
                String prefix = string(in);
                byte[] content = new byte[in.getInt()];
                in.get(content);
                yield new Change.Message(transactional, lsn, prefix, content);
            }
            default -> throw new IllegalStateException("pgoutput message '" + tag + "' is not one this version "
                    + "decodes (protocol version 1 without streaming)");
        };
    }

    private static Change.Relation relation(ByteBuffer in) {
        int oid = in.getInt();
        String schema = string(in);
        String table = string(in);
        char identity = (char) in.get();
        int count = in.getShort();
        List<Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean key = (in.get() & 1) != 0;
            columns.add(new Column(key, string(in), in.getInt(), in.getInt()));
        }
        return new Change.Relation(oid, schema, table, identity, columns);
    }

    private static Change.Update update(ByteBuffer in) {
        int oid = in.getInt();
        char kind = (char) in.get();
        Optional<Tuple> old = Optional.empty();
        boolean whole = false;
        if (kind == 'K' || kind == 'O') {
            old = Optional.of(tuple(in));
            whole = kind == 'O';
            kind = (char) in.get();
        }
        if (kind != 'N') {
            throw new IllegalStateException("pgoutput Update: expected N, got '" + kind + "'");
        }
        return new Change.Update(oid, old, whole, tuple(in));
    }

    private static Change.Truncate truncate(ByteBuffer in) {
        int count = in.getInt();
        int options = in.get();
        List<Integer> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            oids.add(in.getInt());
        }
        return new Change.Truncate(oids, (options & 1) != 0, (options & 2) != 0);
    }

    private static Tuple tuple(ByteBuffer in) {
        int count = in.getShort();
        List<Value> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            char kind = (char) in.get();
            values.add(switch (kind) {
                case 'n' -> new Value.Null();
                case 'u' -> new Value.UnchangedToast();
                case 't' -> {
                    byte[] text = new byte[in.getInt()];
                    in.get(text);
                    yield new Value.Text(new String(text, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("pgoutput tuple: column kind '" + kind + "' is not "
                        + "one this version decodes (binary values are not asked for)");
            });
        }
        return new Tuple(values);
    }

    private static void expect(ByteBuffer in, char wanted, String message) {
        char got = (char) in.get();
        if (got != wanted) {
            throw new IllegalStateException("pgoutput " + message + ": expected '" + wanted + "', got '" + got + "'");
        }
    }

    private static String string(ByteBuffer in) {
        int start = in.position();
        int end = start;
        while (in.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        in.get(bytes);
        in.get(); // the terminating zero
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

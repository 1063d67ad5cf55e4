package dev.pgmigrate.core.internal.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgmigrate.core.internal.online.Change.Value;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Messages built byte by byte as the protocol documents them, decoded, and turned into target statements. */
class PgOutputDecoderTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    private ByteBuffer message() {
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
        bytes.reset();
        return b;
    }

    private void string(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.write(0);
    }

    private void text(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('t');
        out.writeInt(b.length);
        out.write(b);
    }

    private Change.Relation relation() throws IOException {
        out.write('R');
        out.writeInt(16385);
        string("sales \"eu\"");
        string("Orders");
        out.write('d');
        out.writeShort(3);
        out.write(1);
        string("id");
        out.writeInt(20);
        out.writeInt(-1);
        out.write(0);
        string("note");
        out.writeInt(25);
        out.writeInt(-1);
        out.write(0);
        string("doc");
        out.writeInt(25);
        out.writeInt(-1);
        return (Change.Relation) PgOutputDecoder.decode(message());
    }

    @Test
    void decodesATransactionAndItsRelation() throws IOException {
        out.write('B');
        out.writeLong(0x16B3748L);
        out.writeLong(789_000_000L);
        out.writeInt(742);
        assertThat(PgOutputDecoder.decode(message())).isEqualTo(new Change.Begin(0x16B3748L, 789_000_000L, 742));

        Change.Relation r = relation();
        assertThat(r.schema()).isEqualTo("sales \"eu\"");
        assertThat(r.table()).isEqualTo("Orders");
        assertThat(r.replicaIdentity()).isEqualTo('d');
        assertThat(r.columns()).extracting(Change.Column::name).containsExactly("id", "note", "doc");
        assertThat(r.columns()).extracting(Change.Column::key).containsExactly(true, false, false);

        out.write('C');
        out.write(0);
        out.writeLong(0x16B3748L);
        out.writeLong(0x16B3778L);
        out.writeLong(789_000_000L);
        assertThat(PgOutputDecoder.decode(message())).isEqualTo(new Change.Commit(0x16B3748L, 0x16B3778L,
                789_000_000L));
    }

    @Test
    void anUpdateWithAnUnchangedToastValueSetsOnlyTheColumnsSent() throws IOException {
        Change.Relation r = relation();
        out.write('U');
        out.writeInt(16385);
        out.write('N');
        out.writeShort(3);
        text("7");
        out.write('n');
        out.write('u');
        Change.Update u = (Change.Update) PgOutputDecoder.decode(message());
        assertThat(u.oldRow()).isEmpty();
        assertThat(u.newRow().values()).containsExactly(new Value.Text("7"), new Value.Null(),
                new Value.UnchangedToast());

        ApplyStatement s = ApplyStatement.update(r, u.oldRow(), u.oldIsWholeRow(), u.newRow());
        assertThat(s.sql()).isEqualTo("UPDATE ONLY \"sales \"\"eu\"\"\".\"Orders\" SET \"id\" = ?, \"note\" = ? "
                + "WHERE \"id\" = ?");
        assertThat(s.parameters()).containsExactly("7", null, "7");
    }

    @Test
    void aKeyChangeFindsTheRowByItsOldKey() throws IOException {
        Change.Relation r = relation();
        out.write('U');
        out.writeInt(16385);
        out.write('K');
        out.writeShort(3);
        text("6");
        out.write('n');
        out.write('n');
        out.write('N');
        out.writeShort(3);
        text("7");
        text("héllo");
        text("{}");
        Change.Update u = (Change.Update) PgOutputDecoder.decode(message());
        ApplyStatement s = ApplyStatement.update(r, u.oldRow(), u.oldIsWholeRow(), u.newRow());
        assertThat(s.sql()).endsWith("SET \"id\" = ?, \"note\" = ?, \"doc\" = ? WHERE \"id\" = ?");
        assertThat(s.parameters()).containsExactly("7", "héllo", "{}", "6");
    }

    @Test
    void aFullReplicaIdentityDeleteRemovesOneOfTheEqualRows() throws IOException {
        Change.Relation r = relation();
        out.write('D');
        out.writeInt(16385);
        out.write('O');
        out.writeShort(3);
        text("1");
        out.write('n');
        text("[1, 2]");
        Change.Delete d = (Change.Delete) PgOutputDecoder.decode(message());
        assertThat(d.oldIsWholeRow()).isTrue();
        ApplyStatement s = ApplyStatement.delete(r, d.oldRow(), d.oldIsWholeRow());
        assertThat(s.sql()).isEqualTo("DELETE FROM ONLY \"sales \"\"eu\"\"\".\"Orders\" WHERE ctid = (SELECT ctid "
                + "FROM ONLY \"sales \"\"eu\"\"\".\"Orders\" WHERE \"id\"::text IS NOT DISTINCT FROM ? AND "
                + "\"note\"::text IS NOT DISTINCT FROM ? AND \"doc\"::text IS NOT DISTINCT FROM ? LIMIT 1)");
        assertThat(s.parameters()).containsExactly("1", null, "[1, 2]");
    }

    @Test
    void insertsTruncatesAndMessages() throws IOException {
        Change.Relation r = relation();
        out.write('I');
        out.writeInt(16385);
        out.write('N');
        out.writeShort(3);
        text("1");
        text("a");
        out.write('n');
        Change.Insert i = (Change.Insert) PgOutputDecoder.decode(message());
        assertThat(ApplyStatement.insert(r, i.row()).sql()).isEqualTo("INSERT INTO \"sales \"\"eu\"\"\".\"Orders\" "
                + "(\"id\", \"note\", \"doc\") VALUES (?, ?, ?)");

        out.write('T');
        out.writeInt(2);
        out.write(3);
        out.writeInt(16385);
        out.writeInt(16390);
        Change.Truncate t = (Change.Truncate) PgOutputDecoder.decode(message());
        assertThat(t).isEqualTo(new Change.Truncate(List.of(16385, 16390), true, true));
        assertThat(ApplyStatement.truncate(List.of(r, r), t.cascade(), t.restartIdentity()).sql())
                .startsWith("TRUNCATE TABLE ONLY \"sales").endsWith(" RESTART IDENTITY CASCADE");

        out.write('M');
        out.write(1);
        out.writeLong(42);
        string("pgmigrate");
        out.writeInt(2);
        out.write(new byte[] {'h', 'i'});
        Change.Message m = (Change.Message) PgOutputDecoder.decode(message());
        assertThat(m.prefix()).isEqualTo("pgmigrate");
        assertThat(new String(m.content(), StandardCharsets.US_ASCII)).isEqualTo("hi");
        assertThat(m.transactional()).isTrue();
    }

    @Test
    void anUnknownMessageIsAnErrorNotASkippedChange() {
        bytes.write('S');
        assertThatThrownBy(() -> PgOutputDecoder.decode(message())).hasMessageContaining("'S'");
        assertThatThrownBy(() -> ApplyStatement.update(new Change.Relation(1, "s", "t", 'n', List.of(
                new Change.Column(false, "a", 25, -1))), Optional.empty(), false, new Change.Tuple(List.of(
                        new Value.Text("x"))))).hasMessageContaining("no replica identity");
    }
}

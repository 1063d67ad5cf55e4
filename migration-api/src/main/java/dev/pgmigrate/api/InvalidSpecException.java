package dev.pgmigrate.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A migration spec or properties file broke one or more rules; lists every problem, not only the first.
 *
 * @since 0.1
 */
@Stable(since = "0.1")
public class InvalidSpecException extends MigrationException {
    private static final long serialVersionUID = 1L;

    private final transient List<SpecProblem> problems;

    public InvalidSpecException(List<SpecProblem> problems) {
        this(null, problems);
    }

    /**
     * @param source where the spec came from, such as a file name, or {@code null}
     */
    public InvalidSpecException(String source, List<SpecProblem> problems) {
        super(MessageCode.SPEC_INVALID, message(source, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an InvalidSpecException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order the fields were read. */
    public List<SpecProblem> problems() {
        return problems;
    }

    private static String message(String source, List<SpecProblem> problems) {
        String head = (source == null ? "Invalid migration spec" : "Invalid migration spec in " + source)
                + (problems.size() == 1 ? ": " : " (" + problems.size() + " problems):\n  ");
        return head + problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n  "));
    }
}

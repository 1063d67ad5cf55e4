package dev.pgmigrate.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** pgmigrate-bom has no parent, so nothing but this test keeps its version and its list in step with the build. */
class BomTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void listsTheLibraryModulesAtTheProjectVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        Document bom = read(ROOT.resolve("bom/pom.xml"));

        assertThat(child(bom.getDocumentElement(), "version")).isEqualTo(child(parent.getDocumentElement(),
                "version"));
        List<String> managed = new ArrayList<>();
        NodeList dependencies = bom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            assertThat(child(dependency, "version")).isEqualTo("${project.version}");
            managed.add(child(dependency, "groupId") + ":" + child(dependency, "artifactId"));
        }
        assertThat(managed).containsExactly("dev.pgmigrate:migration-api", "dev.pgmigrate:migration-core",
                "dev.pgmigrate:migration-validators", "dev.pgmigrate:migration-copy",
                "dev.pgmigrate:migration-testkit", "dev.pgmigrate:migration-embedded");
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static String child(Element element, String name) {
        NodeList children = element.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(name)) {
                return e.getTextContent().strip();
            }
        }
        throw new AssertionError(element.getTagName() + " has no " + name);
    }
}

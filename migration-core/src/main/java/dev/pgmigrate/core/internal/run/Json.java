package dev.pgmigrate.core.internal.run;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.Deserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pgmigrate.api.Labeled;
import dev.pgmigrate.api.MessageCode;
import dev.pgmigrate.api.MigrationMessage;
import dev.pgmigrate.api.Secret;
import java.io.IOException;

/**
 * The one JSON mapping of API types: enums by their labels, times as ISO-8601 text, and secrets never written.
 */
public final class Json {
    private static final ObjectMapper MAPPER = create();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper create() {
        SimpleModule labels = new SimpleModule("pgmigrate-labels");
        labels.addSerializer(Labeled.class, new JsonSerializer<>() {
            @Override
            public void serialize(Labeled value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.label());
            }
        });
        labels.addSerializer(Secret.class, new JsonSerializer<>() {
            @Override
            public void serialize(Secret value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeNull(); // a secret is never written anywhere
            }
        });
        SimpleModule labelReader = new SimpleModule("pgmigrate-label-reader") {
            private static final long serialVersionUID = 1L;

            @Override
            public void setupModule(SetupContext context) {
                super.setupModule(context);
                context.addDeserializers(new Deserializers.Base() {
                    @Override
                    public JsonDeserializer<?> findEnumDeserializer(Class<?> type, DeserializationConfig config,
                            BeanDescription beanDesc) throws JsonMappingException {
                        return Labeled.class.isAssignableFrom(type) ? labelDeserializer(type) : null;
                    }
                });
            }
        };
        labels.addDeserializer(MigrationMessage.class, new MessageDeserializer());
        return new ObjectMapper()
                .registerModule(labelReader)
                .registerModule(new Jdk8Module())
                .registerModule(new JavaTimeModule())
                .registerModule(labels)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Reads a message as written since codes exist, {@code {"code": ..., "text": ...}}, and as a plain string, as
     * records stored before them hold it; a code this version does not know reads as {@code UNCLASSIFIED}.
     */
    private static final class MessageDeserializer extends JsonDeserializer<MigrationMessage> {
        @Override
        public MigrationMessage deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return new MigrationMessage(MessageCode.UNCLASSIFIED, p.getText());
            }
            JsonNode node = p.readValueAsTree();
            MessageCode code;
            try {
                code = MessageCode.fromLabel(node.path("code").asText(""));
            } catch (IllegalArgumentException e) {
                code = MessageCode.UNCLASSIFIED;
            }
            return new MigrationMessage(code, node.path("text").asText(""));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static JsonDeserializer<?> labelDeserializer(Class<?> type) {
        return new JsonDeserializer<Object>() {
            @Override
            public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return Labeled.fromLabel((Class) type, text);
                } catch (IllegalArgumentException e) {
                    return ctxt.handleWeirdStringValue(type, text, e.getMessage());
                }
            }
        };
    }
}

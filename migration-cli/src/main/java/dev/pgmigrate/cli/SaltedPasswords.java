package dev.pgmigrate.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.SecretKeyFactorySpi;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives each SCRAM salted password once per process instead of once per login.
 *
 * <p>A migration logs in eight times or more, four times or more to each server with the same password, and the
 * server sends the same salt and iteration count each time; so the driver's PBKDF2 (4,096 rounds of HMAC-SHA-256,
 * 8 ms of CPU per login under the C1 compiler the launcher runs) gives the same result each time. This provider,
 * put first for {@code PBKDF2WithHmacSHA256} alone, answers a repeated derivation from memory and hands every
 * other one to the JDK's own provider. A process that holds the password anyway holds nothing more secret by
 * keeping what is derived from it; the key of a remembered result is a digest, not the password.
 *
 * <p>Only the command line installs it: an application that embeds the library owns its JVM's providers. A JDK
 * that lets only signed providers serve key factories skips this one and derives each time, as before.
 */
final class SaltedPasswords extends Provider {
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final Map<String, byte[]> DERIVED = new ConcurrentHashMap<>();

    private SaltedPasswords() {
        super("pgmigrate-salted-passwords", "1", "Remembers PBKDF2WithHmacSHA256 results for the process");
        putService(new Service(this, "SecretKeyFactory", ALGORITHM, Factory.class.getName(), null, null) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new Factory();
            }
        });
    }

    /** Puts the provider first; once per process. */
    static void install() {
        if (Security.getProvider("pgmigrate-salted-passwords") == null) {
            Security.insertProviderAt(new SaltedPasswords(), 1);
        }
    }

    /** How many derivations are remembered: one per password, salt and rounds. */
    static int remembered() {
        return DERIVED.size();
    }

    /** The key factory: remembered results, else the next provider's. */
    static final class Factory extends SecretKeyFactorySpi {
        @Override
        protected SecretKey engineGenerateSecret(KeySpec keySpec) throws InvalidKeySpecException {
            if (!(keySpec instanceof PBEKeySpec spec) || spec.getSalt() == null) {
                return delegate().generateSecret(keySpec);
            }
            String key = key(spec);
            byte[] derived = DERIVED.get(key);
            if (derived == null) {
                derived = delegate().generateSecret(keySpec).getEncoded();
                DERIVED.putIfAbsent(key, derived);
            }
            return new SecretKeySpec(derived, ALGORITHM);
        }

        @Override
        protected KeySpec engineGetKeySpec(SecretKey key, Class<?> keySpec) throws InvalidKeySpecException {
            return delegate().getKeySpec(key, keySpec);
        }

        @Override
        protected SecretKey engineTranslateKey(SecretKey key) throws InvalidKeyException {
            return delegate().translateKey(key);
        }

        private static SecretKeyFactory delegate() {
            for (Provider provider : Security.getProviders("SecretKeyFactory." + ALGORITHM)) {
                if (!(provider instanceof SaltedPasswords)) {
                    try {
                        return SecretKeyFactory.getInstance(ALGORITHM, provider);
                    } catch (GeneralSecurityException e) {
                        // try the next one
                    }
                }
            }
            throw new ProviderException("No provider besides pgmigrate's serves " + ALGORITHM);
        }

        /** SHA-256 of the password's UTF-8 bytes, then the salt, the rounds and the key's length. */
        private static String key(PBEKeySpec spec) throws InvalidKeySpecException {
            char[] password = spec.getPassword();
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update(bytes);
                HexFormat hex = HexFormat.of();
                return hex.formatHex(sha256.digest()) + ':' + hex.formatHex(spec.getSalt()) + ':'
                        + spec.getIterationCount() + ':' + spec.getKeyLength();
            } catch (GeneralSecurityException e) {
                throw new InvalidKeySpecException("SHA-256 is missing from this JDK", e);
            } finally {
                Arrays.fill(password, '\0');
                if (bytes.hasArray()) {
                    Arrays.fill(bytes.array(), (byte) 0);
                }
            }
        }
    }
}

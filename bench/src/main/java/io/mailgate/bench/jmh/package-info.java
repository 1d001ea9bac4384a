/**
 * JMH micro-benchmarks of mailgate's login hot paths: the IMAP command decoder, SASL initial-response decoding and
 * the lenient base64 decoder. They compile against the installed product and run with {@code ../target/mailgate.jar}
 * on the class path; run with {@code -prof gc} for allocation rates (see bench/README.md).
 */
package io.mailgate.bench.jmh;

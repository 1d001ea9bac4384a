package io.mailgate.resolver;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the answer section of a response to one question (RFC 1035 §4.1.3) into a {@link Reply}, following CNAMEs
 * inside the answer (RFC 1034 §3.6.2). Only reads: the caller owns and releases the response.
 */
final class AnswerReader {

  /** RFC 1035 §3.2.4 class IN. */
  private static final int IN = 1;
  private static final int IPV4_LENGTH = 4;
  private static final int IPV6_LENGTH = 16;

  private AnswerReader() {}

  /** The reply for {@code name}/{@code type} (PTR, A or AAAA) in {@code response}. */
  static Reply read(DnsResponse response, String name, DnsRecordType type) {
    DnsResponseCode code = response.code();
    if (code.intValue() != DnsResponseCode.NOERROR.intValue()) {
      return new Reply.Failure(code.intValue(), errorText(code.intValue()));
    }
    int count = response.count(DnsSection.ANSWER);
    if (count == 0) {
      // nginx: an answer without records means the name has none, as NXDOMAIN.
      return new Reply.Failure(Reply.NXDOMAIN, errorText(Reply.NXDOMAIN));
    }
    Map<String, DnsRecord> aliases = new HashMap<>();
    Map<String, List<DnsRecord>> matching = new HashMap<>();
    for (int i = 0; i < count; i++) {
      DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
      if (record.dnsClass() != IN) {
        continue;
      }
      String owner = ReverseNames.key(record.name());
      if (record.type().equals(DnsRecordType.CNAME)) {
        aliases.putIfAbsent(owner, record);
      } else if (record.type().equals(type)) {
        matching.computeIfAbsent(owner, k -> new ArrayList<>()).add(record);
      }
    }
    String current = name;
    long ttl = Long.MAX_VALUE;
    Set<String> seen = new HashSet<>();
    while (true) {
      if (!seen.add(ReverseNames.key(current))) {
        return new Reply.Failure(Reply.INVALID, "CNAME loop in DNS response");
      }
      List<DnsRecord> records = matching.get(ReverseNames.key(current));
      if (records != null) {
        return records(records, type, ttl);
      }
      DnsRecord alias = aliases.get(ReverseNames.key(current));
      if (alias == null) {
        break;
      }
      ttl = Math.min(ttl, alias.timeToLive());
      String target = cnameTarget(alias);
      if (target == null) {
        return new Reply.Failure(Reply.INVALID, "invalid CNAME in DNS response");
      }
      current = target;
    }
    // Records only of other types (DNAME, a zero-length PTR's neighbours...): nginx skips them and keeps waiting.
    return seen.size() == 1
        ? new Reply.Failure(Reply.INVALID, "no " + type.name() + " type in DNS response")
        : new Reply.Alias(current);
  }

  private static Reply records(List<DnsRecord> records, DnsRecordType type, long chainTtl) {
    List<String> values = new ArrayList<>();
    long ttl = chainTtl;
    for (DnsRecord record : records) {
      String value = value(record, type);
      if (value != null) {
        values.add(value);
        ttl = Math.min(ttl, record.timeToLive());
      }
    }
    if (values.isEmpty()) {
      return new Reply.Failure(Reply.INVALID, "invalid " + type.name() + " record in DNS response");
    }
    return new Reply.Records(values, Math.max(0, ttl));
  }

  /** A host name (PTR) or an address (A, AAAA) as text; null when the record is unusable. */
  private static String value(DnsRecord record, DnsRecordType type) {
    if (type.equals(DnsRecordType.PTR)) {
      return record instanceof DnsPtrRecord ptr ? ReverseNames.hostName(ptr.hostname()).orElse(null) : null;
    }
    if (!(record instanceof DnsRawRecord raw)) {
      return null;
    }
    ByteBuf content = raw.content();
    int expected = type.equals(DnsRecordType.AAAA) ? IPV6_LENGTH : IPV4_LENGTH;
    if (content.readableBytes() != expected) {
      return null;
    }
    byte[] bytes = new byte[expected];
    content.getBytes(content.readerIndex(), bytes);
    return NetUtil.bytesToIpAddress(bytes);
  }

  /** Netty keeps a CNAME's target as the uncompressed wire name. */
  private static String cnameTarget(DnsRecord record) {
    if (!(record instanceof DnsRawRecord raw)) {
      return null;
    }
    try {
      String target = DefaultDnsRecordDecoder.decodeName(raw.content().duplicate());
      return target.equals(".") ? null : target;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** nginx's texts for the RCODEs of RFC 1035 §4.1.1. */
  static String errorText(int code) {
    switch (code) {
      case 1:
        return "Format error";
      case 2:
        return "Server failure";
      case Reply.NXDOMAIN:
        return "Host not found";
      case 4:
        return "Unimplemented";
      case 5:
        return "Operation refused";
      case Reply.TIMEDOUT:
        return "Operation timed out";
      default:
        return "Unknown error";
    }
  }
}

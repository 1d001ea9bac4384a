#!/bin/sh
# Builds what a "scratch" base image lacks, as a folder that Jib adds to the image (an extra directory):
#   /opt/java/openjdk   a jlink'ed Java runtime of the modules mailgate uses, from the JDK given (Temurin's path, so
#                       the image runs the same way on an eclipse-temurin base)
#   /lib, /lib64        the shared libraries that runtime and Netty's native libraries link (glibc, libstdc++, zlib),
#                       copied from this machine, whose Debian packages are then the image's system
#   /etc                passwd and group for the image's user, nsswitch.conf and hosts for name lookups
#   /tmp                java.io.tmpdir: Netty unpacks its native libraries there
# With any other base image the folder stays empty: that base brings Java and the system.
#
# Usage: build-runtime.sh OUT_DIR JDK_HOME BASE_IMAGE MODULES APP_JAR UID
set -eu
out=$1 jdk=$2 base=$3 modules=$4 jar=$(cd "$(dirname "$5")" && pwd)/$(basename "$5") uid=$6

rm -rf "$out"
mkdir -p "$out"
if [ "$base" != scratch ]; then
  echo "build-runtime: base image $base brings its own Java; nothing to add"
  exit 0
fi
if [ ! -d "$jdk/jmods" ]; then
  # Some JDK builds ship without jmods (jlink then has nothing to link from); Debian's OpenJDK 17 has them.
  debian=/usr/lib/jvm/java-17-openjdk-amd64
  if [ -d "$debian/jmods" ]; then
    echo "build-runtime: $jdk has no jmods/, using $debian"
    jdk=$debian
  else
    echo "build-runtime: $jdk has no jmods/ for jlink (on Debian: apt-get install openjdk-17-jdk-headless;" \
      "or pass -Dimage.jdk=/path/to/jdk)" >&2
    exit 1
  fi
fi

rt="$out/opt/java/openjdk"
# No --compress: the image layers are gzipped anyway, and uncompressed modules start faster.
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --output "$rt"

# Netty's native libraries are unpacked at run time; their dependencies must be in the image too.
natives=$(mktemp -d)
trap 'rm -rf "$natives"' EXIT
(cd "$natives" && "$jdk/bin/jar" xf "$jar" \
  META-INF/native/libnetty_transport_native_epoll_x86_64.so META-INF/native/libnetty_tcnative_linux_x86_64.so)

# Every library any of these ELF files links, by the absolute path the loader finds it at on this machine; the
# image gets it at the same path. Libraries of the runtime itself (libjvm.so, libjli.so) resolve inside $rt.
elves=$(find "$rt/bin" "$rt/lib" "$natives" -type f \( -name '*.so' -o -perm -u+x \))
libs=$(for f in $elves; do ldd "$f" 2>/dev/null || true; done \
  | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | grep -v "^$rt/" | sort -u)
missing=$(for f in $elves; do ldd "$f" 2>/dev/null || true; done | awk '$2 == "=>" && $3 == "not" { print $1 }' \
  | sort -u)
for name in $missing; do
  if [ -z "$(find "$rt" -name "$name")" ]; then
    echo "build-runtime: $name, which the runtime links, is not on this machine" >&2
    exit 1
  fi
done
# glibc opens libgcc_s at run time (thread cancellation, unwinding) rather than linking it.
for extra in /lib/x86_64-linux-gnu/libgcc_s.so.1; do
  [ -f "$extra" ] && libs="$libs $extra"
done
for lib in $libs; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done

mkdir -p "$out/etc" "$out/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nmailgate:x:%s:%s:mailgate:/nonexistent:/sbin/nologin\n' "$uid" "$uid" \
  > "$out/etc/passwd"
printf 'root:x:0:\nmailgate:x:%s:\n' "$uid" > "$out/etc/group"
# Without nsswitch.conf glibc asks DNS before /etc/hosts, even for localhost.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$out/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$out/etc/hosts"
echo "build-runtime: $(du -sh "$out" | cut -f1) in $out (Java $("$rt/bin/java" -version 2>&1 | head -1))"

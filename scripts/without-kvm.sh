#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a command as on a host without KVM (host class (a)): in a private
# mount namespace whose /dev is a fresh tmpfs holding every node, link and
# mount of the real /dev except kvm, so that open("/dev/kvm") fails with
# ENOENT exactly as on such a host. Nothing outside the namespace changes.
#
#   scripts/without-kvm.sh COMMAND [ARGS]...
#
# Exit status: the command's; 77 with one line on standard error when
# this machine permits no private mount namespace (no root, no user
# namespaces) or no mounts in it.
set -uo pipefail

if [ -z "${GMEM_INSIDE_NO_KVM_NS:-}" ]; then
	# As root a mount namespace is enough; otherwise a user namespace
	# that maps us to root inside it, where unprivileged ones are allowed.
	ns=(-m)
	[ "$(id -u)" = 0 ] || ns=(-r -m)
	if ! unshare "${ns[@]}" true 2>/dev/null; then
		echo "no private mount namespace on this machine (unshare ${ns[*]} refused): the run without /dev/kvm was not made" >&2
		exit 77
	fi
	GMEM_INSIDE_NO_KVM_NS=1 exec unshare "${ns[@]}" --propagation private \
		bash "$0" "$@"
fi
unset GMEM_INSIDE_NO_KVM_NS

# A machine may grant the namespace yet refuse a mount in it (a security
# module, a read-only /tmp): that too is "not permitted here", exit 77.
refused() {
	echo "cannot build a /dev without kvm here ($*): the run without /dev/kvm was not made" >&2
	exit 77
}

dev=$(mktemp -d /tmp/gmem-dev.XXXXXX) || refused "mktemp"
mount -t tmpfs -o mode=0755,size=64k gmem-dev "$dev" 2>/dev/null ||
	refused "mount -t tmpfs"
for entry in /dev/* /dev/.[!.]*; do
	[ -e "$entry" ] || [ -L "$entry" ] || continue
	name=${entry#/dev/}
	[ "$name" = kvm ] && continue
	if [ -L "$entry" ]; then
		cp -P "$entry" "$dev/$name"
	elif [ -d "$entry" ]; then
		mkdir "$dev/$name" && mount --rbind "$entry" "$dev/$name"
	else
		: >"$dev/$name" && mount --bind "$entry" "$dev/$name"
	fi 2>/dev/null || refused "carrying /dev/$name over"
done
# -n: no utab update, which a user namespace may not write.
mount -n --move "$dev" /dev 2>/dev/null || refused "mount --move"
rmdir "$dev"
if [ -e /dev/kvm ]; then
	echo "without-kvm: /dev/kvm is still there" >&2
	exit 1
fi
exec "$@"

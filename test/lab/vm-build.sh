#!/usr/bin/env bash
# Builds the cgroup v2 lab node's disk image: Debian sid (containerd 2.x, Docker 28, podman
# with conmon and crun, systemd, cgroup v2) from Debian's mirror, without loop mounts.
# The result is cached in $CRIMON_VM_CACHE/<hash of this script>/ (disk.img, vmlinuz,
# initrd.img, the lab's client key and the guest's host key); a second run with the same
# script reuses it, a changed script builds anew. Prints the image directory.
#
#   sudo test/lab/vm-build.sh        # about 6 minutes on 2 cores, once
set -euo pipefail
# shellcheck source=vm-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/vm-common.sh"

vm_require_root
for tool in debootstrap mkfs.ext4 busybox ssh-keygen sha256sum tar flock; do
	command -v "$tool" >/dev/null || vm_die "$tool is missing (apt-get install debootstrap e2fsprogs busybox-static openssh-client)"
done
if ldd "$(command -v busybox)" >/dev/null 2>&1; then vm_die "busybox is dynamically linked; install busybox-static (the image has no libc)"; fi

SUITE=sid
DISK_SIZE=8G
# sid's initrd comes from dracut, which boots this way; docker-cli is its own package.
PACKAGES=systemd,systemd-sysv,udev,dbus,openssh-server,containerd,runc,iproute2,iptables,kmod,ca-certificates,linux-image-amd64,procps,docker.io,docker-cli,podman,conmon,crun,curl

out=$(vm_image_dir)
if [[ -f $out/ready ]]; then
	vm_log "image cached: $out (build hash $(vm_build_hash))"
	printf '%s\n' "$out"
	exit 0
fi

mkdir -p "$VM_CACHE"
with_vm_lock
# Another build may have finished while this one waited for the lock.
if [[ -f $out/ready ]]; then printf '%s\n' "$out"; exit 0; fi
started=$SECONDS
work=$VM_CACHE/building-$(vm_build_hash)
root=$work/root
rm -rf "$work"
mkdir -p "$work"

vm_log "debootstrap $SUITE from $VM_MIRROR into $root (the longest part)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$VM_MIRROR" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; vm_die "debootstrap failed (log: $work/debootstrap.log; is $VM_MIRROR reachable?)"; }
fetched=$((SECONDS - started))

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

# networkd left systemd's own package in later sid: add it when it is not there.
if [[ ! -e $root/usr/lib/systemd/systemd-networkd ]]; then
	vm_log "systemd-networkd is its own package here: installing it"
	mount --bind /proc "$root/proc"
	trap 'umount "$root/proc" 2>/dev/null || true' EXIT
	in_root apt-get install -y -q --no-install-recommends systemd-networkd >>"$work/debootstrap.log" 2>&1 ||
		vm_die "apt-get install systemd-networkd failed in the chroot (log: $work/debootstrap.log)"
	umount "$root/proc"
	trap - EXIT
fi
[[ -n $(compgen -G "$root/boot/vmlinuz-*") ]] || vm_die "no kernel in $root/boot"
[[ -n $(compgen -G "$root/boot/initrd.img-*") ]] || vm_die "no initrd in $root/boot (dracut or initramfs-tools failed; see $work/debootstrap.log)"

# ---- the guest's configuration ------------------------------------------------------------
echo crimon-vm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tcrimon-vm\n' >"$root/etc/hosts"
# pass 0: no fsck (e2fsck is not in the image, and the copy is fresh every boot).
printf '/dev/vda\t/\text4\trw,relatime\t0\t0\n' >"$root/etc/fstab"
mkdir -p "$root/etc/systemd/network"
# Minbase has no network configuration at all: without this sshd is never reachable.
cat >"$root/etc/systemd/network/10-qemu.network" <<'EOF'
[Match]
Name=en*

[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
EOF
# Key-only root logins, one host key (made below, on the host, so known_hosts is known now).
mkdir -p "$root/etc/ssh/sshd_config.d"
cat >"$root/etc/ssh/sshd_config.d/crimon-vm.conf" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
AllowStreamLocalForwarding yes
EOF
rm -f "$root"/etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -C crimon-vm-host -f "$root/etc/ssh/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C crimon-vm-client -f "$work/client_ed25519"
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$work/client_ed25519.pub" "$root/root/.ssh/authorized_keys"
cp "$root/etc/ssh/ssh_host_ed25519_key.pub" "$work/host_ed25519.pub"
passwd_root_locked=$(in_root passwd -l root 2>&1 || true)
: "$passwd_root_locked"

systemctl --root="$root" enable systemd-networkd containerd docker ssh podman.socket >/dev/null 2>&1 ||
	vm_die "systemctl enable failed in $root"
# Under TCG every unit costs seconds at boot; none of these serve the lab. wait-online would
# hold network-online.target (which docker.service wants) for two minutes on a static address.
systemctl --root="$root" mask systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
	man-db.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer dpkg-db-backup.timer >/dev/null 2>&1 || true

# ---- offline images: a static busybox rootfs ------------------------------------------------
bb=$root/opt/crimon-vm/busybox-rootfs
mkdir -p "$bb/bin" "$bb/etc" "$bb/tmp" "$bb/proc" "$bb/sys" "$bb/dev"
cp "$(command -v busybox)" "$bb/bin/busybox"
for applet in $("$bb/bin/busybox" --list); do
	[[ $applet == busybox ]] || ln -sf busybox "$bb/bin/$applet"
done
printf 'root:x:0:0:root:/:/bin/sh\n' >"$bb/etc/passwd"
printf 'root:x:0:\n' >"$bb/etc/group"
# docker import reads this tar; podman runs the directory itself (--rootfs).
tar -C "$bb" -cf "$root/opt/crimon-vm/busybox-rootfs.tar" .

# ---- the disk -------------------------------------------------------------------------------
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*_Packages
kernel=$(compgen -G "$root/boot/vmlinuz-*" | sort -V | tail -n 1)
initrd=$(compgen -G "$root/boot/initrd.img-*" | sort -V | tail -n 1)
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"
vm_log "mkfs.ext4 -d (a $DISK_SIZE sparse disk from the tree)"
mkfs.ext4 -q -F -L crimon-vm -d "$root" "$work/disk.img" "$DISK_SIZE" || vm_die "mkfs.ext4 -d failed"
versions=$(in_root dpkg-query -W -f '${Package}=${Version}\n' containerd docker.io podman conmon crun runc systemd linux-image-amd64 2>/dev/null || true)
rm -rf "$root"
built=$((SECONDS - started))
{
	printf 'built %s in %ss (debootstrap %ss), hash %s\n' "$(date -u +%FT%TZ)" "$built" "$fetched" "$(vm_build_hash)"
	printf 'kernel %s\n' "$(basename "$kernel")"
	printf '%s\n' "$versions"
} >"$work/build.txt"
touch "$work/ready"
rm -rf "$out"
mv "$work" "$out"
vm_log "image built in ${built}s: $out"
printf '%s\n' "$out"

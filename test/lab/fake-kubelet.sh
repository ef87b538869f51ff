#!/usr/bin/env bash
# A stand-in kubelet for the lab. No real kubelet can run here (no API server to register
# with, no cgroup delegation, no CNI), and crimon never talks to the kubelet anyway: it
# reads the kubelet's command line from /proc and the files that command line names. So a
# process whose /proc/PID/cmdline reads `/usr/bin/kubelet <real flags>` and that only
# sleeps is, for the diagnosis, the kubelet it imitates. (Its /proc/PID/maps still says
# perl, so crimon rightly reports no kubelet version for it.)
#
#   test/lab/fake-kubelet.sh --container-runtime=docker --network-plugin=cni ...
#
# perl (perl-base is essential on Debian) rewrites its argv in place when $0 is assigned;
# exec keeps the pid of whoever started this script, so the caller can kill exactly it.
set -euo pipefail
exec perl -e '$0 = join(" ", @ARGV); sleep;' -- "${FAKE_KUBELET_ARGV0:-/usr/bin/kubelet}" "$@"

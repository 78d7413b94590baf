# Sourced by scripts/install and scripts/test: the Debian packages each needs, and the one way both install them.

# Badge PDFs embed DejaVu Sans; the summary PDF is printed by headless Chromium in Liberation Serif 2, which has the
# metrics of Times New Roman and, unlike Liberation 1 (fonts-liberation), every Vietnamese letter.
RUNTIME_PACKAGES="fonts-dejavu-core fonts-liberation2 chromium"
# The PDF tests read text back with pdftotext and compare what it says, never where this machine's fonts break the
# lines, so they need no particular font beyond the runtime's; the scale-out tests run several servers on PostgreSQL
# and Redis (scripts/services.sh starts private instances; the system services are not used); tests/test_behind_nginx.py
# puts two of them behind an nginx of its own.
TEST_PACKAGES="fontconfig poppler-utils postgresql redis-server nginx"

# apt_ensure WHY PACKAGE...: install the packages that are missing when root, else say which to install and fail.
apt_ensure() {
  local why=$1 package
  local missing=()
  shift
  for package in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "$why: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
}

# Sourced by scripts/install and scripts/test: the Debian packages each needs, and the one way both install them.

# Badge PDFs embed DejaVu Sans. The record and the attendance sheets are typeset by Typst with the fonts inside its
# Python wheel (Libertinus Serif), so they need no system font and no browser.
RUNTIME_PACKAGES="fonts-dejavu-core"
# The browser tests drive Debian's Chromium. The PDF tests read text back with pdftotext and compare what it says,
# never where the lines break; fonts-dejavu-extra gives CI other fonts than a server has, for the test that the record
# is the same bytes whatever fonts a machine has. The scale-out tests run several servers on PostgreSQL and Redis
# (scripts/services.sh starts private instances; the system services are not used); tests/test_behind_nginx.py puts
# two of them behind an nginx of its own.
TEST_PACKAGES="chromium fontconfig fonts-dejavu-extra poppler-utils postgresql redis-server nginx"

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

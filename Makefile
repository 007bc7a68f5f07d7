# agentdesk build and test entry points. `make run` and `make test` are the
# two commands a newcomer needs; both install the OS packages Fyne needs first.

GO       ?= go
BINARY   ?= agentdesk
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Packages for cgo Fyne builds, the Xvfb end-to-end tests (xclip: pasting images)
# and the real-keyring tests.
OS_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev wayland-protocols \
	xvfb xauth xdotool xclip tesseract-ocr imagemagick dbus gnome-keyring libsecret-tools
# Packages for the Windows cross-build and its tests under Wine.
WINDOWS_PACKAGES := gcc-mingw-w64-x86-64 wine64
RELEASE_FLAGS := -trimpath -ldflags="-s -w" -tags migrated_fynedo
XVFB := xvfb-run -a -s "-screen 0 1280x800x24 -noreset"

# The one version number lives in FyneApp.toml; artefacts are named after it.
VERSION := $(shell sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
# The commit goes into the binaries (agentdesk --version) even when the
# environment says GOFLAGS=-buildvcs=false.
VCS_FLAG := -buildvcs=auto
MINGW_CC := x86_64-w64-mingw32-gcc
# Packages whose tests run under Wine: everything below the UI.
WINDOWS_TEST_PKGS := ./conn/... ./profiles/... ./assets/about/
# Packages that type-check for macOS without a Mac toolchain (no cgo).
DARWIN_VET_PKGS := ./conn/... ./profiles/... ./assets/about/

.PHONY: all deps deps-windows build release run test vet vet-darwin unit test-keyring test-e2e \
	check-version windows test-windows bench package package-linux package-windows generate clean

all: build

# deps installs whatever OS packages are missing (Debian/Ubuntu).
deps:
	@missing=$$(for p in $(OS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing OS packages:" $$missing; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# deps-windows installs MinGW and Wine when missing (Debian/Ubuntu).
deps-windows:
	@missing=$$(for p in $(WINDOWS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing OS packages:" $$missing; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build:
	$(GO) build $(VCS_FLAG) -o $(BINARY) .

# release builds the small binary we ship.
release:
	$(GO) build $(VCS_FLAG) $(RELEASE_FLAGS) -o $(BINARY) .

# check-version: the binary reports the version in FyneApp.toml. It uses
# the plain build, which the end-to-end test shares from the build cache.
check-version: build
	@v=$$(./$(BINARY) --version) && echo "$$v" && echo "$$v" | head -1 | grep -q "^agentdesk $(VERSION) " || \
		{ echo "agentdesk --version does not report $(VERSION) from FyneApp.toml"; exit 1; }

# run opens the app in demo mode: two simulated servers, your profiles untouched.
run: deps build
	./$(BINARY) --demo

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags wineexe ./conn/doctor/

# vet-darwin type-checks the macOS build of everything below the UI. Fyne
# and main need cgo and a Mac SDK, so ui/ and main are not covered.
vet-darwin:
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet $(DARWIN_VET_PKGS)

unit:
	$(GO) test -race -count=1 ./...

# test-keyring runs the profiles tests against a real gnome-keyring Secret
# Service on a private session bus. $HOME/.cache must exist, or the Secret
# Service can hang for minutes while D-Bus tries to start it.
test-keyring:
	dbus-run-session -- sh -c 'mkdir -p "$$HOME/.cache" "$$HOME/.local/share/keyrings"; \
		printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
		$(GO) test -tags keyring -run Keyring -count=1 -v ./profiles/'

# test-e2e drives the real binary under Xvfb against two in-process servers;
# its screenshot lands in e2e-artifacts/.
test-e2e:
	mkdir -p e2e-artifacts
	dbus-run-session -- $(XVFB) env LANG=en_US.UTF-8 AGENTDESK_E2E_ARTIFACTS=$(CURDIR)/e2e-artifacts \
		$(GO) test -tags e2e -run E2E -count=1 -v -timeout 10m .

# windows cross-builds agentdesk.exe with MinGW through the fyne CLI: the
# icon, the version resource and the manifest go in as a .syso, and it is
# linked -H windowsgui (no console window). The CLI is built for this
# machine first (go tool -n), since CC names the Windows compiler.
# `fyne package` raises Build in FyneApp.toml and rewrites the file on
# every run; the version is set by hand, so the file is put back.
windows: deps-windows
	cp FyneApp.toml FyneApp.toml.keep
	fyne=$$($(GO) tool -n fyne) && \
		env CC=$(MINGW_CC) GOFLAGS="$$GOFLAGS $(VCS_FLAG)" $$fyne package -os windows -release; \
		rc=$$?; mv FyneApp.toml.keep FyneApp.toml; exit $$rc
	@ls -l $(BINARY).exe

# test-windows runs, in one headless Wine prefix (.ci/wine/run): the
# conn, profiles and about tests as Windows binaries, with the real
# Windows Credential Manager behind go-keyring, then agentdesk.exe's doctor
# and --version against an in-process server.
test-windows: windows
	.ci/wine/run sh -c '\
		GOOS=windows $(GO) test -tags keyring -count=1 -exec "$(CURDIR)/.ci/wine/exec" $(WINDOWS_TEST_PKGS) && \
		AGENTDESK_WINDOWS_EXE="$(CURDIR)/$(BINARY).exe" $(GO) test -tags wineexe -run WindowsExe -count=1 -v ./conn/doctor/'

test: deps vet vet-darwin unit check-version test-keyring test-e2e test-windows

bench:
	.ci/bench $${BENCH_RUNS:-5}
	$(GO) test -run '^$$' -bench IdleDeadServers -benchtime 1x ./conn/
	$(GO) test -run '^$$' -bench HostileFrames ./conn/
	$(GO) test -run '^$$' -bench . ./conn/history/
	$(GO) test -run '^$$' -bench 'IndexBuild|Query' -benchtime 20x ./conn/complete/
	$(GO) test -run '^$$' -bench 'ClipboardImageToChip|SendReleasesMemory' -benchtime 5x ./conn/attach/
	$(GO) test -run '^$$' -bench TimelineAppend -benchtime 300x ./ui/
	$(GO) test -run '^$$' -bench FinishedCardMemory -benchtime 1x ./ui/
	$(GO) test -run '^$$' -bench ServerPopupWithHugeHost -benchtime 5x ./ui/
	dbus-run-session -- $(XVFB) env LANG=en_US.UTF-8 $(GO) test -tags e2e -run '^$$' -bench 'LaunchToFirstFrame|LaunchWithHistory' -benchtime 3x -timeout 20m .

# package builds the release artefacts, named with the version from
# FyneApp.toml, into dist/: the Linux .tar.xz (with a .desktop entry and
# icon) and the Windows exe, both through the fyne CLI pinned in go.mod.
package: package-linux package-windows
	@ls -l dist/

# fyne package reuses an existing ./agentdesk instead of building the
# release binary, so any earlier build is removed first.
package-linux:
	rm -f $(BINARY)
	cp FyneApp.toml FyneApp.toml.keep
	env GOFLAGS="$$GOFLAGS $(VCS_FLAG)" $(GO) tool fyne package -os linux -release; \
		rc=$$?; mv FyneApp.toml.keep FyneApp.toml; exit $$rc
	mkdir -p dist
	mv $(BINARY).tar.xz dist/$(BINARY)-$(VERSION)-linux-amd64.tar.xz

package-windows: windows
	mkdir -p dist
	cp $(BINARY).exe dist/$(BINARY)-$(VERSION)-windows-amd64.exe

generate:
	$(GO) generate ./conn/wire

clean:
	rm -rf $(BINARY) $(BINARY).exe dist e2e-artifacts *.tar.xz

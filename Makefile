# agentdesk build and test entry points. `make run` and `make test` are the
# two commands a newcomer needs; both install the OS packages Fyne needs first.

GO       ?= go
BINARY   ?= agentdesk
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Packages for cgo Fyne builds, the Xvfb end-to-end tests (xclip: pasting images)
# and the real-keyring tests.
OS_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev wayland-protocols \
	xvfb xauth xdotool xclip imagemagick dbus gnome-keyring libsecret-tools
RELEASE_FLAGS := -trimpath -ldflags="-s -w" -tags migrated_fynedo
XVFB := xvfb-run -a -s "-screen 0 1280x800x24 -noreset"

.PHONY: all deps build release run test vet unit test-keyring test-e2e bench package generate clean

all: build

# deps installs whatever OS packages are missing (Debian/Ubuntu).
deps:
	@missing=$$(for p in $(OS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing OS packages:" $$missing; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build:
	$(GO) build -o $(BINARY) .

# release builds the small binary we ship.
release:
	$(GO) build $(RELEASE_FLAGS) -o $(BINARY) .

# run opens the app in demo mode: two simulated servers, your profiles untouched.
run: deps build
	./$(BINARY) --demo

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

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

test: deps vet unit test-keyring test-e2e

bench:
	$(GO) test -run '^$$' -bench 'PushToEvent|FanIn' -benchtime 100000x ./conn/
	$(GO) test -run '^$$' -bench IdleDeadServers -benchtime 1x ./conn/
	$(GO) test -run '^$$' -bench 'IndexBuild|Query' -benchtime 20x ./conn/complete/
	$(GO) test -run '^$$' -bench 'ClipboardImageToChip|SendReleasesMemory' -benchtime 5x ./conn/attach/
	$(GO) test -run '^$$' -bench . ./ui/...

# package builds a Linux package (.tar.xz with a .desktop entry) with the
# fyne CLI pinned in go.mod as a tool.
package:
	$(GO) tool fyne package -os linux -release -tags migrated_fynedo
	@ls -l *.tar.xz

generate:
	$(GO) generate ./conn/wire

clean:
	rm -rf $(BINARY) e2e-artifacts *.tar.xz

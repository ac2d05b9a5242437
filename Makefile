# ClipScope: `make run` opens the explorer on the bundled demo, `make test` runs the tests and the example.
SWIFT ?= swift
PREFIX ?= /usr/local
APT_PACKAGES := libncursesw5-dev ncurses-term libopenblas-dev libjpeg-dev libpng-dev libwebp-dev libgif-dev libtiff-dev libheif-dev libavif-dev libchafa-dev libglib2.0-dev libdnnl-dev
BIN := .build/release/clipscope

.PHONY: run test build deps install bench clean

deps:
	@Scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build -c release

run: build
	$(BIN) explore --model demo Assets/demo

# After the tests: the example package that depends on ClipScopeKit builds, runs, and ranks as `clipscope search`.
test: deps
	$(SWIFT) test
	SWIFT=$(SWIFT) Examples/EmbedAndSearch/check-rankings.sh

# The encoder benchmark (`clipscope bench`, all subcommands: `clipscope bench --help`) on the demo model.
bench: build
	$(BIN) bench --model demo

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/clipscope
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/clipscope
	cp -R Assets/. $(DESTDIR)$(PREFIX)/share/clipscope/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/clipscope
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_clipscope
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/clipscope.fish

clean:
	rm -rf .build Examples/EmbedAndSearch/.build

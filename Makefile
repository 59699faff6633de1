# Builds the Lambda functions of examples/ as deployable zips, reproducibly:
# the same source and Go toolchain give the same bytes, on any machine.
#
#   make lambda-zips              dist/monitor-lambda.zip, dist/account-lambda.zip, dist/hierarchy-cfn.zip,
#                                 dist/scan-map-lambda.zip
#                                 (linux/arm64, provided.al2023)
#   make check-reproducible       builds again from a copy of the sources at another
#                                 path and compares the zips' SHA-256 (run by CI)
#   make check-reproducible-cold  the same, the second build with an empty build
#                                 cache (slow: run it before a release, or after a
#                                 Go or SDK upgrade)
#
# The build: no cgo, -trimpath (no local path in the binary), -buildvcs=false
# (a checkout and a copy of it build the same bytes), -ldflags='-s -w
# -buildid=' (no symbol table, no DWARF, no build ID), and -tags lambda.norpc:
# provided.al2023 speaks the Runtime API over HTTP, and aws-lambda-go's net/rpc
# entry point, kept for the retired go1.x runtime, finds methods by reflection,
# which makes the linker keep every method of every SDK client (46.0 MB
# instead of 13.4 MB).
#
# Size: a bootstrap over LAMBDA_MAX_BYTES, 20 MiB (20,971,520 bytes), fails the
# build. Deployment size and cold start are what Lambda users pay for; the
# usual way past the limit is a package that finds methods by name at run time
# (text/template, net/rpc, reflect.Value.MethodByName).
#
# The zip holds one file, bootstrap, mode 0755, dated 1980-01-01 00:00 (the
# earliest zip date), with no extra fields and no directory entries. zip is
# used when installed, else python3's zipfile with the same fixed date.
#
# What check-reproducible proves, and what it does not. It copies the sources
# (git's tracked and untracked-but-not-ignored files, as they are on disk) to a
# temporary directory, adds a newline at the end of every .go file of the copy
# and builds there. The newline moves no line, so it cannot change the
# binary, but it changes the files' hashes: go build compiles every package
# of this module again, at the other path, and links again. Without it the
# build cache, whose keys leave the directory out under -trimpath, would hand
# back the first build's packages and only the link would be proven. The
# standard library and the modules of go.sum come from the build cache in
# both builds, so the check proves that this module's code and the link are
# deterministic and independent of the checkout's path, VCS state and the
# time of day, in seconds instead of the ten minutes or more that compiling
# the EC2 SDK takes. It does not prove that compiling the dependencies from
# nothing gives the objects in the cache (the Go toolchain tests its own
# reproducibility, and go.sum pins the dependencies' sources): that is what
# check-reproducible-cold adds. Neither compares with another Go version,
# GOARM64 level or GOEXPERIMENT: those are inputs, like the source.

GO      ?= go
DIST    ?= dist
LAMBDAS := monitor-lambda account-lambda hierarchy-cfn scan-map-lambda
GOARCH_LAMBDA := arm64
LAMBDA_TAGS := lambda.norpc
LAMBDA_MAX_BYTES ?= 20971520

ZIP     := $(shell command -v zip 2>/dev/null)
SHA256  := $(shell command -v sha256sum 2>/dev/null || echo shasum -a 256)

.PHONY: lambda-zips check-reproducible check-reproducible-cold clean-dist

lambda-zips: $(LAMBDAS:%=$(DIST)/%.zip)

# Always rebuilt: go build decides what is current.
$(DIST)/%.zip: FORCE
	@rm -rf $@ $(DIST)/build/$* && mkdir -p $(DIST)/build/$*
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build -tags $(LAMBDA_TAGS) -trimpath -buildvcs=false \
		-ldflags='-s -w -buildid=' -o $(DIST)/build/$*/bootstrap ./examples/$*
	@size=$$(wc -c < $(DIST)/build/$*/bootstrap | tr -d ' '); \
	if [ "$$size" -gt $(LAMBDA_MAX_BYTES) ]; then \
		echo "$*: bootstrap is $$size bytes, over the limit of $(LAMBDA_MAX_BYTES) (LAMBDA_MAX_BYTES)." >&2; \
		echo "Look for a new dependency that finds methods by name at run time (text/template, net/rpc): see the Makefile." >&2; \
		exit 1; \
	fi; echo "$*: bootstrap is $$size bytes (limit $(LAMBDA_MAX_BYTES))"
	chmod 0755 $(DIST)/build/$*/bootstrap
	TZ=UTC touch -t 198001010000.00 $(DIST)/build/$*/bootstrap
ifneq ($(ZIP),)
	cd $(DIST)/build/$* && TZ=UTC $(ZIP) -q -X -D -9 ../../$*.zip bootstrap
else
	python3 -c 'import sys, zipfile; \
		zi = zipfile.ZipInfo("bootstrap", (1980, 1, 1, 0, 0, 0)); \
		zi.external_attr = 0o100755 << 16; zi.create_system = 3; zi.compress_type = zipfile.ZIP_DEFLATED; \
		z = zipfile.ZipFile(sys.argv[1], "w"); z.writestr(zi, open(sys.argv[2], "rb").read(), compresslevel=9); z.close()' \
		$@ $(DIST)/build/$*/bootstrap
endif
	@rm -rf $(DIST)/build/$*
	@$(SHA256) $@

check-reproducible check-reproducible-cold: lambda-zips
	@copy=$$(mktemp -d) && trap 'chmod -R u+w "$$copy"; rm -rf "$$copy"' EXIT && \
	git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$$copy" && \
	find "$$copy" -name '*.go' -exec sh -c 'for f; do printf "\n" >> "$$f"; done' sh {} + && \
	if [ $@ = check-reproducible-cold ]; then mkdir "$$copy/.gocache" && export GOCACHE="$$copy/.gocache"; fi && \
	echo "second build, in $$copy$${GOCACHE:+ with GOCACHE=$$GOCACHE}:" && \
	$(MAKE) --no-print-directory -C "$$copy" GO='$(GO)' DIST=dist lambda-zips && \
	status=0 && for l in $(LAMBDAS); do \
		a=$$($(SHA256) < $(DIST)/$$l.zip | cut -d' ' -f1); \
		b=$$($(SHA256) < "$$copy/dist/$$l.zip" | cut -d' ' -f1); \
		if [ "$$a" = "$$b" ]; then echo "$$l.zip reproducible: sha256 $$a, $$(wc -c < $(DIST)/$$l.zip | tr -d ' ') bytes"; \
		else echo "$$l.zip NOT reproducible: $$a != $$b" >&2; status=1; fi; \
	done; exit $$status

clean-dist:
	rm -rf $(DIST)

FORCE:

# Builds the Lambda functions of examples/ as deployable zips, reproducibly:
# the same source and Go toolchain give the same bytes, on any machine.
#
#   make lambda-zips         dist/monitor-lambda.zip (linux/arm64, provided.al2023)
#   make check-reproducible  builds twice, the second time with an empty build
#                            cache, and compares the zips' SHA-256
#
# The zip holds one file, bootstrap, mode 0755, dated 1980-01-01 00:00 (the
# earliest zip date), with no extra fields and no directory entries. zip is
# used when installed, else python3's zipfile with the same fixed date.

GO      ?= go
DIST    ?= dist
LAMBDAS := monitor-lambda
GOARCH_LAMBDA := arm64

ZIP     := $(shell command -v zip 2>/dev/null)
SHA256  := $(shell command -v sha256sum 2>/dev/null || echo shasum -a 256)

.PHONY: lambda-zips check-reproducible clean-dist

lambda-zips: $(LAMBDAS:%=$(DIST)/%.zip)

# Always rebuilt: go build decides what is current.
$(DIST)/%.zip: FORCE
	@rm -rf $(DIST)/build/$* && mkdir -p $(DIST)/build/$*
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH_LAMBDA) $(GO) build -trimpath -ldflags='-s -w -buildid=' \
		-o $(DIST)/build/$*/bootstrap ./examples/$*
	chmod 0755 $(DIST)/build/$*/bootstrap
	TZ=UTC touch -t 198001010000.00 $(DIST)/build/$*/bootstrap
	@rm -f $@
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

check-reproducible:
	@rm -rf $(DIST)/repro && mkdir -p $(DIST)/repro
	$(MAKE) --no-print-directory lambda-zips
	@for l in $(LAMBDAS); do cp $(DIST)/$$l.zip $(DIST)/repro/$$l.1.zip; done
	@cache=$$(mktemp -d) && trap 'chmod -R u+w "$$cache"; rm -rf "$$cache"' EXIT && \
		GOCACHE=$$cache $(MAKE) --no-print-directory lambda-zips
	@status=0; for l in $(LAMBDAS); do \
		a=$$($(SHA256) < $(DIST)/repro/$$l.1.zip | cut -d' ' -f1); \
		b=$$($(SHA256) < $(DIST)/$$l.zip | cut -d' ' -f1); \
		if [ "$$a" = "$$b" ]; then echo "$$l.zip reproducible: sha256 $$a, $$(wc -c < $(DIST)/$$l.zip | tr -d ' ') bytes"; \
		else echo "$$l.zip NOT reproducible: $$a != $$b" >&2; status=1; fi; \
	done; rm -rf $(DIST)/repro; exit $$status

clean-dist:
	rm -rf $(DIST)

FORCE:

# Linux guest images for the in-emulator tests: Debian's pinned cloud kernel and
# busybox-static (tests/linux/fetch.sh, into the gitignored cache) and an
# initramfs with dittoctl (tests/linux/mkinitramfs.sh), copied into the build.
LINUX_IMG := $(BUILD)/linux
.PHONY: linux-images
linux-images: $(LINUX_IMG)/bzImage $(LINUX_IMG)/initrd.img $(LINUX_IMG)/truncated-bzImage $(LINUX_IMG)/not-a-bzImage $(LINUX_IMG)/big-initrd.img
$(LINUX_IMG)/bzImage: tests/linux/fetch.sh
	@mkdir -p $(dir $@)
	CACHE=$(abspath $(CACHE)) tests/linux/fetch.sh > $(LINUX_IMG)/fetch.out
	cp "$$(sed -n 's/^KERNEL=//p' $(LINUX_IMG)/fetch.out)" $@
$(LINUX_IMG)/initrd.img: $(LINUX_IMG)/bzImage $(BUILD)/guests/dittoctl tests/linux/mkinitramfs.sh
	CACHE=$(abspath $(CACHE)) tests/linux/mkinitramfs.sh --dittoctl $(BUILD)/guests/dittoctl -o $@ > /dev/null
emu-images: linux-images

# Bad kernels for the refusal test: the real one cut short, and a file with no
# setup header at all.
$(LINUX_IMG)/truncated-bzImage: $(LINUX_IMG)/bzImage
	head -c 300000 $< > $@
$(LINUX_IMG)/not-a-bzImage: $(LINUX_IMG)/bzImage
	head -c 65536 /dev/zero > $@
# An initrd of 5 MiB: too big for the "tiny" VM of tests/emu/linux-bad.test.
$(LINUX_IMG)/big-initrd.img: $(LINUX_IMG)/initrd.img
	cat $< > $@
	head -c 4194304 /dev/zero >> $@

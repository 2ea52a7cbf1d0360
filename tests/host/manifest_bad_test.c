/*
 * Malformed manifests: each tests/manifest/bad/NAME.ditto must fail to load
 * with exactly the error lines of NAME.err (message text included), checked
 * against the test host of tests/manifest/README.md. One counted test each.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"
#include "vmm/manifest/manifest.h"

char *mt_read(const char *path, size_t *len);
int mt_load_file(const char *path, struct manifest *m, struct manifest_errors *e);
void mt_errors_text(const struct manifest_errors *e, char *buf, size_t size);

static struct manifest man;
static struct manifest_errors errs;
static char got[64 * 1024];

static int check_bad(const char *name)
{
	char path[256];
	size_t len;
	char *want;
	int rc, same;

	snprintf(path, sizeof(path), "tests/manifest/bad/%s.ditto", name);
	rc = mt_load_file(path, &man, &errs);
	if (rc == -1000 || rc == 0)
		return 1;
	snprintf(path, sizeof(path), "tests/manifest/bad/%s.err", name);
	want = mt_read(path, &len);
	if (!want)
		return 2;
	mt_errors_text(&errs, got, sizeof(got));
	same = strcmp(want, got) == 0;
	if (!same)
		printf("# %s: expected:\n%s# got:\n%s", name, want, got);
	free(want);
	return same ? 0 : 3;
}

#define BAD(name)                                                              \
	TEST(bad_##name) { CHECK_EQ(check_bad(#name), 0); }

#define BAD_FILES(X) \
	X(array_bad_separator) \
	X(array_multiline) \
	X(array_too_long) \
	X(array_unclosed_then_table) \
	X(bad_escape) \
	X(bad_integer) \
	X(bad_name) \
	X(bad_tag) \
	X(baud_not_divisor) \
	X(bool_as_string) \
	X(bool_word) \
	X(boot_unknown) \
	X(cap_below_reservation) \
	X(cap_over_vcpus) \
	X(cmdline_newline) \
	X(cmdline_too_long) \
	X(cmdline_with_flat) \
	X(console_unknown) \
	X(control_character) \
	X(date_value) \
	X(debug_exit_overlaps_fw_cfg) \
	X(debug_exit_overlaps_serial) \
	X(debug_exit_past_64k) \
	X(debug_exit_size_3) \
	X(devices_array) \
	X(devices_before_vm) \
	X(devices_twice) \
	X(devices_unknown_key) \
	X(dotted_key) \
	X(duplicate_name) \
	X(empty_file) \
	X(enum_too_long) \
	X(file_too_large) \
	X(float_value) \
	X(header_unclosed) \
	X(host_array) \
	X(initrd_not_passed) \
	X(initrd_with_flat) \
	X(inline_table) \
	X(integer_overflow) \
	X(kernel_does_not_fit) \
	X(key_expected) \
	X(key_in_wrong_table) \
	X(key_outside_table) \
	X(key_twice) \
	X(line_too_long) \
	X(many_errors) \
	X(memory_over_host) \
	X(missing_equals) \
	X(missing_name) \
	X(missing_required) \
	X(missing_value) \
	X(module_not_passed) \
	X(modules_bad_path) \
	X(modules_bad_tag) \
	X(modules_manifest_tag) \
	X(modules_not_string) \
	X(modules_too_many) \
	X(modules_twice) \
	X(multiline_recovery) \
	X(multiline_string) \
	X(no_vm) \
	X(patch_default_without_share) \
	X(patch_without_share) \
	X(pin_missing_cpu) \
	X(pin_not_array) \
	X(pin_out_of_range) \
	X(pin_strings) \
	X(pin_twice) \
	X(port_out_of_range) \
	X(quoted_key_empty) \
	X(reservation_over_host) \
	X(reservation_over_pins) \
	X(reservation_over_vcpus) \
	X(size_bare_integer_suffix) \
	X(size_integer_out_of_range) \
	X(size_integer_unaligned) \
	X(size_negative) \
	X(size_overflow) \
	X(size_suffix) \
	X(size_too_small) \
	X(size_unaligned) \
	X(table_name_too_long) \
	X(table_twice) \
	X(tables_too_deep) \
	X(tag_manifest) \
	X(tag_with_escape) \
	X(too_many_vms) \
	X(too_many_vms_with_devices) \
	X(trailing_text) \
	X(unclosed_string) \
	X(unknown_key) \
	X(unknown_key_hint) \
	X(unknown_table) \
	X(unknown_table_hint) \
	X(unquoted_string) \
	X(value_not_a_value) \
	X(vcpus_over_host) \
	X(vcpus_string) \
	X(vcpus_zero) \
	X(vm_single_brackets)

BAD_FILES(BAD)

#define NAME(name) #name,
static const char *const listed[] = { BAD_FILES(NAME) };

/* Every file in tests/manifest/bad/ has its BAD() line above. */
TEST(bad_files_all_listed)
{
	DIR *d = opendir("tests/manifest/bad");
	struct dirent *de;
	int unlisted = 0, n = 0;

	CHECK(d != NULL);
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		int found = 0;
		if (l < 7 || strcmp(de->d_name + l - 6, ".ditto") != 0)
			continue;
		n++;
		for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
			if (strlen(listed[i]) == l - 6 && !strncmp(listed[i], de->d_name, l - 6))
				found = 1;
		if (!found) {
			printf("# unlisted: %s\n", de->d_name);
			unlisted++;
		}
	}
	closedir(d);
	CHECK_EQ(unlisted, 0);
	CHECK_EQ(n, sizeof(listed) / sizeof(listed[0]));
}

/* `ditto-manifest grub`: the tag -> file mapping and the menu entry. */
#include <errno.h>
#include "check.h"
#include "tools/ditto-manifest/grub.h"

int mt_load_text(const char *text, struct manifest *m, struct manifest_errors *e);

static struct manifest man;
static struct manifest_errors errs;
static char out[4096];

TEST(demo_entry)
{
	static const char t[] =
		"[modules]\nguest-hello = \"guests/hello.elf\"\nlinux = \"/opt/vmlinuz\"\n"
		"[[vm]]\nname = \"a\"\nmemory = \"64M\"\nkernel = \"guest-hello\"\n"
		"[[vm]]\nname = \"b\"\nmemory = \"64M\"\nkernel = \"linux\"\ninitrd = \"initrd\"\n"
		"[[vm]]\nname = \"c\"\nmemory = \"64M\"\nkernel = \"guest-hello\"\n";

	CHECK_EQ(mt_load_text(t, &man, &errs), 0);
	CHECK(manifest_grub_entry(&man, "docs/examples/my.ditto", "/boot", "Ditto \"test\"",
				  out, sizeof(out)) > 0);
	CHECK_STREQ(out, "menuentry \"Ditto \\\"test\\\"\" {\n"
			 "\tmultiboot2 /boot/ditto.elf\n"
			 "\tmodule2 /boot/my.ditto manifest\n"
			 "\tmodule2 /boot/guests/hello.elf guest-hello\n"
			 "\tmodule2 /opt/vmlinuz linux\n"
			 "\tmodule2 /boot/initrd initrd\n"
			 "}\n");
}

TEST(unquotable_names_refused)
{
	CHECK_EQ(mt_load_text("[[vm]]\nname = \"a\"\nmemory = \"64M\"\nkernel = \"linux\"\n",
			      &man, &errs), 0);
	CHECK_EQ(manifest_grub_entry(&man, "my file.ditto", "/boot", NULL, out, sizeof(out)),
		 -EINVAL);
	CHECK_EQ(manifest_grub_entry(&man, "m.ditto", "/bo ot", NULL, out, sizeof(out)), -EINVAL);
	CHECK_EQ(manifest_grub_entry(&man, "m.ditto", "/boot", NULL, out, 20), -ENOSPC);
	CHECK(manifest_grub_entry(&man, "m.ditto", "/b", NULL, out, sizeof(out)) > 0);
	CHECK(strstr(out, "\tmodule2 /b/linux linux\n") != NULL);
}

/* embed.c - lookup in the embedded file sets (embed.h). */
#include "embed.h"

#include <string.h>

const embed_file *embed_find(const embed_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->files[i].name, name) == 0)
            return &set->files[i];
    return NULL;
}

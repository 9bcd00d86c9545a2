/* registry.c - the names of processing item types and conditions and the
 * lines of `sigma list transformations|conditions`, generated from items.def
 * and conditions.def (the enums of internal.h come from the same rows). */
#define SIGMA_PIPELINE_INTERNAL
#include "pipeline.h"

#include <string.h>


const char *const pipeline_transformation_names[] = {
#define TRANSFORMATION(name, ...) #name,
#include "items.def"
    NULL,
};
const char *const pipeline_postprocessing_names[] = {
#define POSTPROCESSING(name, ...) #name,
#include "items.def"
    NULL,
};
const char *const pipeline_finalizer_names[] = {
#define FINALIZER(name, ...) #name,
#include "items.def"
    NULL,
};
const char *const pipeline_condition_names[] = {
#define CONDITION(name, ...) #name,
#include "conditions.def"
    NULL,
};

/* pipeline_transformation_names[t] names transformation type t */
_Static_assert(sizeof pipeline_transformation_names / sizeof *pipeline_transformation_names ==
                   PT_NTRANSFORMATIONS + 1,
               "one name per transformation type");
_Static_assert(sizeof pipeline_transformation_names / sizeof *pipeline_transformation_names +
                       sizeof pipeline_postprocessing_names / sizeof *pipeline_postprocessing_names +
                       sizeof pipeline_finalizer_names / sizeof *pipeline_finalizer_names ==
                   PT_COUNT + 3,
               "one name per processing item type");

static const char *const list_transformations[] = {
#define TRANSFORMATION(name, type, parse, desc, ...) #name "\t" desc,
#define POSTPROCESSING(name, type, parse, desc, ...) #name "\tpostprocessing: " desc,
#define FINALIZER(name, type, parse, desc, ...) #name "\tfinalizer: " desc,
#include "items.def"
    NULL,
};

/* where a condition may stand, as `sigma list conditions` says it */
#define WHERE_RULE "rule"
#define WHERE_DET "detection item"
#define WHERE_FIELD "field name"
#define WHERE_ANY "rule, detection item, field name"

static const char *const list_conditions[] = {
#define CONDITION(name, type, kinds, parse, desc, ...) #name "\t" WHERE_##kinds ": " desc,
#include "conditions.def"
    NULL,
};

const char *const *pl_registry_lines(const char *what)
{
    if (strcmp(what, "transformations") == 0)
        return list_transformations;
    if (strcmp(what, "conditions") == 0)
        return list_conditions;
    return NULL;
}

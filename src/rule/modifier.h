/* modifier.h - Sigma value modifiers (modifier.c): the raw YAML values of
 * one detection item typed and run through its chain `field|mod|mod`. */
#ifndef SIGMA_MODIFIER_H
#define SIGMA_MODIFIER_H

#include "rule.h"

/* Applies item->mods to the raw YAML values: fills item->vals, ->nvals,
 * ->all, ->neg. pos is the position of the value(s) node. False with *err
 * set (message from `a`; position of the offending value, else of the
 * item's key) on an unknown or misplaced modifier or a value it cannot take. */
bool modifiers_apply(arena *a, ditem *item, ynode **raw, size_t nraw, spos pos, sdiag *err);

/* True if `name` is a known modifier id. */
bool modifier_known(const char *name);
/* Every modifier id, NULL-terminated. */
extern const char *const modifier_names[];

#endif

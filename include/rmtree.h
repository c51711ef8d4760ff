/*
 * rmtree.h — removes a folder tree at any depth, relative to folder
 * descriptors, never following a link and never leaving the mount it
 * starts on.
 *
 * The stage (stage.h) removes the previous version of a folder after the
 * swap, its own temporary folder when a run stops, and the temporary folders
 * of runs that were killed: whatever a person left inside them, nested
 * beyond PATH_MAX or with a share mounted in it, must go or be named.
 */
#ifndef IP_RMTREE_H
#define IP_RMTREE_H

/* Removes path and, when it is a folder, everything below it. A symbolic
 * link is unlinked, never followed (also at path itself). A folder on
 * another file system or mount than path (a share or a bind mount inside
 * the tree) is not entered and stays, with the folders above it. No path
 * longer than one name is looked up, so depth is no limit; at most a few
 * dozen descriptors are open at once. A folder left while it is removed
 * is reached again by ".." and must be the same folder (st_dev, st_ino) as
 * on the way down, else the walk stops. Returns 0 when path is gone (a path
 * that does not exist counts), else -1 with errno the first failure (EBUSY
 * for a mount inside; ENOTEMPTY only when nothing else failed). */
int ip_rmtree(const char *path);

#endif /* IP_RMTREE_H */

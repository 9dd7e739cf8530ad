<?php
/**
 * Removes every option the plugin stored, when it is deleted from the Plugins screen.
 *
 * @package Parcours
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

foreach ( array( 'parcours_server', 'parcours_property', 'parcours_skip_editors', 'parcours_track_404', 'parcours_track_search' ) as $parcours_option ) {
	delete_option( $parcours_option );
}
